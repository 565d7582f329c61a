import { K8sConfigError, parseImageReference, validateChartConfig, type OrderAppChartConfig } from '../config/chart-config';
import { chartEnvironments, platformOutputsFrom, PLACEHOLDER_CLIENT_ID } from '../config/chart-environments';
import { CLIENT_ID, testConfigs } from './chart-helpers';

const [dev] = testConfigs();
const withSetting = (patch: Partial<OrderAppChartConfig>) => () => validateChartConfig({ ...dev!, ...patch });

test('the default environments validate', () => {
  expect(testConfigs().map((c) => c.environment)).toEqual(['dev', 'prod']);
});

test('parses registry/name:tag and an optional digest', () => {
  expect(parseImageReference('myacr.azurecr.io/team/order-app:20261125.1-3f2a9c1')).toEqual({
    registry: 'myacr.azurecr.io',
    repository: 'team/order-app',
    tag: '20261125.1-3f2a9c1',
  });
  expect(parseImageReference(`localhost:5000/order-app:1.2.3@sha256:${'a'.repeat(64)}`).digest).toBe(`sha256:${'a'.repeat(64)}`);
});

test('throws if the image has neither tag nor digest', () => {
  expect(withSetting({ image: 'myacr.azurecr.io/order-app' })).toThrow(K8sConfigError);
  expect(withSetting({ image: 'myacr.azurecr.io/order-app' })).toThrow(/k8s config "dev": image must name a tag or a digest/);
});

test('accepts an image pinned by digest alone', () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  expect(parseImageReference(`myacr.azurecr.io/order-app@${digest}`)).toEqual({ registry: 'myacr.azurecr.io', repository: 'order-app', digest });
  expect(withSetting({ image: `myacr.azurecr.io/order-app@${digest}` })).not.toThrow();
});

test('requireImageDigest refuses a tag-only image and keeps a digest', () => {
  const pinned = `r.example.com/order-app@sha256:${'c'.repeat(64)}`;
  expect(() => chartEnvironments({ env: { APP_IMAGE: 'r.example.com/order-app:42' }, requireImageDigest: true })).toThrow(
    /"dev": image must pin the image by digest/,
  );
  expect(chartEnvironments({ env: { APP_IMAGE: pinned }, requireImageDigest: true }).map((c) => c.image)).toEqual([pinned, pinned]);
  expect(chartEnvironments({ env: { APP_IMAGE: 'r.example.com/order-app:42' } })[0]!.image).toBe('r.example.com/order-app:42');
});

test('throws if the image tag is latest', () => {
  expect(withSetting({ image: 'myacr.azurecr.io/order-app:latest' })).toThrow(/image must not use the tag "latest"/);
});

test('throws if the image has no registry', () => {
  expect(withSetting({ image: 'order-app:1.0.0' })).toThrow(/image must be registry\/name:tag or registry\/name@sha256/);
});

test.each([0, 1, 2.5, -3])('throws if replicas is %p (at least 2)', (replicas) => {
  expect(withSetting({ replicas })).toThrow(/replicas must be a whole number from 2 to 100/);
});

test('throws if maxReplicas is below replicas', () => {
  expect(withSetting({ replicas: 4, maxReplicas: 3 })).toThrow(/maxReplicas must be a whole number from 4 to 100; got 3/);
});

test('throws if exposure is unknown', () => {
  expect(withSetting({ exposure: 'nodeport' as never })).toThrow(/exposure must be one of clusterip, internal, public; got "nodeport"/);
});

test('throws if the internal clients are missing, not a CIDR or not private', () => {
  expect(withSetting({ exposure: 'internal', internalClientCidrs: [] })).toThrow(
    /internalClientCidrs must name at least one private CIDR with exposure "internal"/,
  );
  expect(withSetting({ exposure: 'internal', internalClientCidrs: ['everyone'] })).toThrow(/internalClientCidrs must hold private IPv4 CIDRs/);
  expect(withSetting({ exposure: 'internal', internalClientCidrs: ['0.0.0.0/0'] })).toThrow(/internalClientCidrs must hold private IPv4 CIDRs/);
});

test('throws if a limit is below its request or memory is too small for Node.js', () => {
  expect(withSetting({ resources: { ...dev!.resources, cpuLimitMillis: 50 } })).toThrow(/resources.cpuLimitMillis must be a whole number from 100/);
  expect(withSetting({ resources: { ...dev!.resources, memoryRequestMiB: 64 } })).toThrow(
    /resources.memoryRequestMiB must be a whole number from 128/,
  );
});

test('throws if the Key Vault URL or client id is not one', () => {
  expect(withSetting({ keyVaultUrl: 'http://vault.example.com' })).toThrow(/keyVaultUrl must be a Key Vault URL/);
  expect(withSetting({ appIdentityClientId: 'order-app' })).toThrow(/appIdentityClientId must be the app identity's client id \(a GUID/);
});

test('throws if the private-endpoint CIDR is missing, too wide or public', () => {
  expect(withSetting({ privateEndpointCidrs: [] })).toThrow(/privateEndpointCidrs must name at least one CIDR/);
  expect(withSetting({ privateEndpointCidrs: ['10.0.0.0/8'] })).toThrow(/privateEndpointCidrs must hold private IPv4 CIDRs of \/16 or narrower/);
  expect(withSetting({ privateEndpointCidrs: ['20.1.2.0/24'] })).toThrow(/privateEndpointCidrs must hold private IPv4 CIDRs/);
});

test('reads the Key Vault URL and client id from cdktf outputs', () => {
  const outputs = {
    'platform-prod': { key_vault_url: 'https://x-prod-kv.vault.azure.net/', app_identity_client_id: CLIENT_ID, kube_config: 'ignored' },
  };
  expect(platformOutputsFrom(outputs, 'prod')).toEqual({ keyVaultUrl: 'https://x-prod-kv.vault.azure.net/', appIdentityClientId: CLIENT_ID });
});

test('names the stack or output missing from the cdktf outputs', () => {
  expect(() => platformOutputsFrom({}, 'dev')).toThrow(/no outputs for stack "platform-dev"/);
  expect(() => platformOutputsFrom({ 'platform-dev': { key_vault_url: 'https://a.vault.azure.net/' } }, 'dev')).toThrow(
    /no string output "app_identity_client_id"/,
  );
  expect(() => platformOutputsFrom('nope', 'dev')).toThrow(/must be the JSON object/);
});

test('without infra outputs the Key Vault URL follows the infra naming and the client id is the placeholder', () => {
  const [d, p] = chartEnvironments({ env: { GLOBAL_NAME_PREFIX: 'acme' } });
  expect(d!.keyVaultUrl).toBe('https://acme-dev-kv.vault.azure.net/');
  expect(p!.appIdentityClientId).toBe(PLACEHOLDER_CLIENT_ID);
  expect(d!.image).toBe('acmeacr.azurecr.io/order-app:0.1.0');
});

test('APP_IMAGE sets the image and a bad one fails with the setting named', () => {
  expect(chartEnvironments({ env: { APP_IMAGE: 'r.example.com/order-app:42' } })[0]!.image).toBe('r.example.com/order-app:42');
  expect(() => chartEnvironments({ env: { APP_IMAGE: 'r.example.com/order-app:latest' } })).toThrow(/"dev": image must not use the tag "latest"/);
});

const PUBLIC = {
  exposure: 'public' as const,
  ingress: { host: 'orders.example.com', certificateName: 'orders-tls' },
  signIn: { mode: 'oidc' as const, issuerUrl: 'https://login.microsoftonline.com/t/v2.0', clientId: 'c' },
};

test('public exposure is valid with an ingress host, a Key Vault certificate and sign-in', () => {
  expect(withSetting(PUBLIC)).not.toThrow();
  expect(withSetting({ ...PUBLIC, signIn: { mode: 'none', allowAnonymousPublicAccess: true } })).not.toThrow();
});

test.each([
  [{ ...PUBLIC, ingress: undefined }, 'ingress is required with exposure "public"'],
  [
    { ...PUBLIC, ingress: { host: 'orders', certificateName: 'orders-tls' } },
    'ingress.host must be a DNS name such as orders.example.com; got "orders"',
  ],
  [
    { ...PUBLIC, ingress: { host: 'orders.example.com', certificateName: 'orders_tls!' } },
    'ingress.certificateName must be a Key Vault certificate name',
  ],
  [
    { ...PUBLIC, signIn: { mode: 'none' as const } },
    'exposure "public" needs sign-in: set OIDC_ISSUER_URL and OIDC_CLIENT_ID_DEV (mode "oidc"), or ALLOW_ANONYMOUS_PUBLIC_ACCESS_DEV=true',
  ],
  [{ exposure: 'internal' as const, ingress: PUBLIC.ingress }, 'ingress only applies to exposure "public"'],
  [{ exposure: 'internal' as const, signIn: PUBLIC.signIn }, 'OIDC sign-in needs exposure "public"'],
  [{ ...PUBLIC, signIn: { ...PUBLIC.signIn, issuerUrl: 'http://login.example.com/x' } }, 'signIn.issuerUrl must be an https URL'],
])('throws for an unsafe public setup: %#', (patch, message) => {
  expect(withSetting(patch as Partial<OrderAppChartConfig>)).toThrow(message);
});

test('PUBLIC_HOST_<ENV> (read by the infra config) and OIDC_CLIENT_ID_<ENV> make one environment public with sign-in', () => {
  const [d, p] = chartEnvironments({
    env: { PUBLIC_HOST_PROD: 'orders.shop.example', OIDC_ISSUER_URL: 'https://login.microsoftonline.com/t/v2.0', OIDC_CLIENT_ID_PROD: 'client-1' },
  });
  expect(d!.exposure).toBe('clusterip');
  expect(p).toMatchObject({
    exposure: 'public',
    ingress: { host: 'orders.shop.example', certificateName: 'orders-tls' },
    signIn: { mode: 'oidc', clientId: 'client-1' },
  });
  expect(() => chartEnvironments({ env: { PUBLIC_HOST_PROD: 'orders.shop.example' } })).toThrow('set OIDC_ISSUER_URL and OIDC_CLIENT_ID_PROD');
  const anonymous = chartEnvironments({ env: { PUBLIC_HOST_PROD: 'orders.shop.example', ALLOW_ANONYMOUS_PUBLIC_ACCESS_PROD: 'true' } })[1]!;
  expect(anonymous.signIn).toEqual({ mode: 'none', allowAnonymousPublicAccess: true });
});

test('exposure, internal clients and the private-endpoint subnet come from the infra config, one source for both layers', () => {
  const [d, p] = chartEnvironments({ env: { INTERNAL_CLIENT_CIDRS: '10.50.0.0/16', VNET_ADDRESS_SPACE_PROD: '10.30.0.0/16' } });
  expect(d).toMatchObject({ exposure: 'clusterip', privateEndpointCidrs: ['10.10.3.0/24'] });
  expect(p).toMatchObject({ exposure: 'internal', internalClientCidrs: ['10.50.0.0/16'], privateEndpointCidrs: ['10.30.3.0/24'] });
});

test('ALLOW_ANONYMOUS_PUBLIC_ACCESS_<ENV> acknowledges anonymous access only when exactly "true"', () => {
  for (const value of ['false', '', '0', 'TRUE ']) {
    expect(() => chartEnvironments({ env: { PUBLIC_HOST_PROD: 'orders.shop.example', ALLOW_ANONYMOUS_PUBLIC_ACCESS_PROD: value } })).toThrow(
      'set OIDC_ISSUER_URL and OIDC_CLIENT_ID_PROD',
    );
  }
});
