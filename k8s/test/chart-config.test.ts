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
  expect(withSetting({ image: 'myacr.azurecr.io/order-app' })).toThrow(expect.objectContaining({ name: 'K8sConfigError' }));
  expect(withSetting({ image: 'myacr.azurecr.io/order-app' })).toThrow(/k8s config "dev": image must name a tag or a digest/);
});

test('accepts an image pinned by digest alone', () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  // Strictly: no `tag` key at all, not one holding undefined.
  expect(parseImageReference(`myacr.azurecr.io/order-app@${digest}`)).toStrictEqual({
    registry: 'myacr.azurecr.io',
    repository: 'order-app',
    digest,
  });
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

const AT = 'k8s config "dev": ';
const resources = (patch: Partial<OrderAppChartConfig['resources']>) => ({ resources: { ...dev!.resources, ...patch } });

test('accepts every number at both ends of its range', () => {
  const lowest = {
    replicas: 2,
    maxReplicas: 2,
    targetCpuUtilizationPercent: 10,
    resources: {
      cpuRequestMillis: 10,
      cpuLimitMillis: 10,
      memoryRequestMiB: 128,
      memoryLimitMiB: 128,
      ephemeralStorageRequestMiB: 16,
      ephemeralStorageLimitMiB: 16,
    },
  };
  const highest = {
    replicas: 100,
    maxReplicas: 100,
    targetCpuUtilizationPercent: 95,
    resources: {
      cpuRequestMillis: 8000,
      cpuLimitMillis: 8000,
      memoryRequestMiB: 16384,
      memoryLimitMiB: 16384,
      ephemeralStorageRequestMiB: 10240,
      ephemeralStorageLimitMiB: 10240,
    },
  };
  expect(withSetting(lowest)).not.toThrow();
  expect(withSetting(highest)).not.toThrow();
});

test.each([
  [{ replicas: 101, maxReplicas: 101 }, 'replicas must be a whole number from 2 to 100; got 101.'],
  [{ maxReplicas: 101 }, 'maxReplicas must be a whole number from 2 to 100; got 101.'],
  [{ maxReplicas: 2.5 }, 'maxReplicas must be a whole number from 2 to 100; got 2.5.'],
  [{ targetCpuUtilizationPercent: 9 }, 'targetCpuUtilizationPercent must be a whole number from 10 to 95; got 9.'],
  [{ targetCpuUtilizationPercent: 96 }, 'targetCpuUtilizationPercent must be a whole number from 10 to 95; got 96.'],
  [resources({ cpuRequestMillis: 9 }), 'resources.cpuRequestMillis must be a whole number from 10 to 8000; got 9.'],
  [resources({ cpuRequestMillis: 8001 }), 'resources.cpuRequestMillis must be a whole number from 10 to 8000; got 8001.'],
  [resources({ cpuLimitMillis: 8001 }), 'resources.cpuLimitMillis must be a whole number from 100 to 8000; got 8001.'],
  [resources({ memoryRequestMiB: 16385 }), 'resources.memoryRequestMiB must be a whole number from 128 to 16384; got 16385.'],
  [resources({ memoryLimitMiB: 159 }), 'resources.memoryLimitMiB must be a whole number from 160 to 16384; got 159.'],
  [resources({ memoryLimitMiB: 16385 }), 'resources.memoryLimitMiB must be a whole number from 160 to 16384; got 16385.'],
  [resources({ ephemeralStorageRequestMiB: 15 }), 'resources.ephemeralStorageRequestMiB must be a whole number from 16 to 10240; got 15.'],
  [resources({ ephemeralStorageRequestMiB: 10241 }), 'resources.ephemeralStorageRequestMiB must be a whole number from 16 to 10240; got 10241.'],
  [resources({ ephemeralStorageLimitMiB: 63 }), 'resources.ephemeralStorageLimitMiB must be a whole number from 64 to 10240; got 63.'],
  [resources({ ephemeralStorageLimitMiB: 10241 }), 'resources.ephemeralStorageLimitMiB must be a whole number from 64 to 10240; got 10241.'],
  [{ logLevel: 'verbose' as never }, 'logLevel must be one of fatal, error, warn, info, debug, trace; got "verbose".'],
])('refuses %j, naming the setting, its range and the value', (patch, message) => {
  expect(withSetting(patch)).toThrow(`${AT}${message}`);
});

test.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const)('accepts the log level %s', (logLevel) => {
  expect(withSetting({ logLevel })).not.toThrow();
});

test.each(['Dev', '-dev', 'dev-', 'dev_1', '', 'a'.repeat(33)])('refuses the environment name %j (a DNS label of 1-32 characters)', (environment) => {
  expect(withSetting({ environment })).toThrow(
    `environment must be a DNS label (lower-case letters, digits, dashes); got ${JSON.stringify(environment)}.`,
  );
});

test.each(['a', 'd-1', `a${'b'.repeat(30)}c`])('accepts the environment name %j', (environment) => {
  expect(withSetting({ environment })).not.toThrow();
});

test.each([
  ['myacr.azurecr.io:443/order-app:1', { registry: 'myacr.azurecr.io:443', repository: 'order-app', tag: '1' }],
  ['localhost/order-app:1', { registry: 'localhost', repository: 'order-app', tag: '1' }],
  ['registry:5000/order-app:1', { registry: 'registry:5000', repository: 'order-app', tag: '1' }],
  ['r.example.com/team/sub/order_app__x--y.z:V1.2_3-rc', { registry: 'r.example.com', repository: 'team/sub/order_app__x--y.z', tag: 'V1.2_3-rc' }],
  [`r.example.com/order-app:${'t'.repeat(128)}`, { registry: 'r.example.com', repository: 'order-app', tag: 't'.repeat(128) }],
])('parses the image %s', (image, parsed) => {
  expect(parseImageReference(image)).toEqual(parsed);
});

test.each([
  'registry/order-app:1',
  'r.example.com/Order-App:1',
  'r.example.com/order-app-:1',
  'r.example.com/-order-app:1',
  'r.example.com//order-app:1',
  'r.example.com/order-app:-1',
  'r.example.com/order-app:.1',
  `r.example.com/order-app:${'t'.repeat(129)}`,
  `r.example.com/order-app@sha256:${'a'.repeat(63)}`,
  `r.example.com/order-app@sha256:${'A'.repeat(64)}`,
  `r.example.com/order-app:1@sha256:${'a'.repeat(64)}x`,
  ' r.example.com/order-app:1',
  'r.example.com/order-app:1 ',
])('refuses the image %j, naming the setting and the forms it must take', (image) => {
  expect(() => parseImageReference(image)).toThrow(
    `image must be registry/name:tag or registry/name@sha256:<digest>, e.g. myregistry.azurecr.io/order-app:20261125.1-3f2a9c1; ` +
      `got ${JSON.stringify(image)}.`,
  );
});

test('names the tag and digest rules in full', () => {
  expect(() => parseImageReference('r.example.com/order-app', 'APP_IMAGE')).toThrow(
    'APP_IMAGE must name a tag or a digest (registry/name:tag or registry/name@sha256:...) so every rollout is reproducible; ' +
      'got "r.example.com/order-app".',
  );
  expect(() => parseImageReference('r.example.com/order-app:1', 'APP_IMAGE', true)).toThrow(
    'APP_IMAGE must pin the image by digest (registry/name@sha256:<64 hex digits>, as the push reported it); got "r.example.com/order-app:1".',
  );
  expect(() => parseImageReference('r.example.com/order-app:latest')).toThrow(
    'image must not use the tag "latest" (it moves, so a restart can run other code); got "r.example.com/order-app:latest".',
  );
  const digest = `sha256:${'d'.repeat(64)}`;
  expect(parseImageReference(`r.example.com/order-app:2@${digest}`, 'image', true)).toEqual({
    registry: 'r.example.com',
    repository: 'order-app',
    tag: '2',
    digest,
  });
});

test.each([
  'https://abc.vault.azure.net',
  'https://abc.vault.azure.net/',
  'https://a-b-c.vault.azure.cn/',
  'https://abc.vault.usgovcloudapi.net/',
  `https://${'k'.repeat(24)}.vault.azure.net/`,
])('accepts the Key Vault URL %s', (keyVaultUrl) => {
  expect(withSetting({ keyVaultUrl })).not.toThrow();
});

test.each([
  'https://ab.vault.azure.net/',
  `https://${'k'.repeat(25)}.vault.azure.net/`,
  'https://a_c.vault.azure.net/',
  'https://abc.vault.azure.com/',
  'https://abc.vault.azure.net/secrets',
  'https://abc.vault.azure.net.example.com/',
  'xhttps://abc.vault.azure.net/',
  'http://abc.vault.azure.net/',
])('refuses the Key Vault URL %j', (keyVaultUrl) => {
  expect(withSetting({ keyVaultUrl })).toThrow(
    `${AT}keyVaultUrl must be a Key Vault URL such as https://my-vault.vault.azure.net/; got ${JSON.stringify(keyVaultUrl)}.`,
  );
});

test('refuses a client id that is not a GUID, naming where it comes from', () => {
  expect(withSetting({ appIdentityClientId: `${CLIENT_ID}0` })).toThrow(
    `${AT}appIdentityClientId must be the app identity's client id (a GUID, the platform stack's app_identity_client_id output); ` +
      `got "${CLIENT_ID}0".`,
  );
});

test('the private-endpoint ranges may be /16 or narrower, every one of them private', () => {
  expect(withSetting({ privateEndpointCidrs: ['10.10.0.0/16'] })).not.toThrow();
  expect(withSetting({ privateEndpointCidrs: ['10.10.0.0/15'] })).toThrow(
    `${AT}privateEndpointCidrs must hold private IPv4 CIDRs of /16 or narrower; got "10.10.0.0/15".`,
  );
  expect(withSetting({ privateEndpointCidrs: ['10.10.3.0/24', 'nonsense'] })).toThrow('got "nonsense"');
  expect(withSetting({ privateEndpointCidrs: [] })).toThrow(`${AT}privateEndpointCidrs must name at least one CIDR (the private-endpoint subnet).`);
});

test('the internal clients must be private CIDRs whatever the exposure, and named when it is internal', () => {
  expect(withSetting({ internalClientCidrs: ['20.0.0.0/8'] })).toThrow(
    `${AT}internalClientCidrs must hold private IPv4 CIDRs such as 10.50.0.0/16; got "20.0.0.0/8".`,
  );
  expect(withSetting({ internalClientCidrs: [] })).not.toThrow();
  expect(withSetting({ exposure: 'internal', internalClientCidrs: [] })).toThrow(
    `${AT}internalClientCidrs must name at least one private CIDR with exposure "internal" (who may reach the internal LoadBalancer).`,
  );
});

test.each(['a.io', `${'a'.repeat(63)}.example.com`, 'orders-1.shop.example', 'x.y.z.example', `${'a.'.repeat(125)}abc`])(
  'accepts the public host %s',
  (host) => {
    expect(withSetting({ ...PUBLIC, ingress: { host, certificateName: 'orders-tls' } })).not.toThrow();
  },
);

test.each([
  'a.b',
  'Orders.example.com',
  'orders.example.com.',
  '-orders.example.com',
  'orders-.example.com',
  'orders..example.com',
  `${'a'.repeat(64)}.example.com`,
  'orders.example.c0m',
  ' orders.example.com',
  'orders.example.com/x',
  `${'a.'.repeat(126)}io`,
])('refuses the public host %j', (host) => {
  expect(withSetting({ ...PUBLIC, ingress: { host, certificateName: 'orders-tls' } })).toThrow(
    `${AT}ingress.host must be a DNS name such as orders.example.com; got ${JSON.stringify(host)}.`,
  );
});

test('the certificate name is 1-127 letters, digits and dashes', () => {
  const withCertificate = (certificateName: string) => withSetting({ ...PUBLIC, ingress: { host: 'orders.example.com', certificateName } });
  expect(withCertificate('A'.repeat(127))).not.toThrow();
  for (const name of ['A'.repeat(128), '', 'orders tls'])
    expect(withCertificate(name)).toThrow(
      `${AT}ingress.certificateName must be a Key Vault certificate name (1-127 letters, digits, dashes); got ${JSON.stringify(name)}.`,
    );
});

test('the OIDC issuer is an https URL with a path, and the client id is not blank', () => {
  const withSignIn = (signIn: Partial<typeof PUBLIC.signIn>) => withSetting({ ...PUBLIC, signIn: { ...PUBLIC.signIn, ...signIn } });
  expect(withSignIn({ issuerUrl: 'https://login.example.com/' })).not.toThrow();
  for (const issuerUrl of [
    'https://login.example.com',
    'xhttps://login.example.com/t',
    'https://login example.com/t',
    ' https://login.example.com/t',
    'https://login.example.com/t\nhttps://evil.example/',
  ])
    expect(withSignIn({ issuerUrl })).toThrow(
      `${AT}signIn.issuerUrl must be an https URL such as https://login.microsoftonline.com/<tenant>/v2.0 (OIDC_ISSUER_URL); ` +
        `got ${JSON.stringify(issuerUrl)}.`,
    );
  expect(withSignIn({ clientId: '  ' })).toThrow(`${AT}signIn.clientId must be the app registration's client id.`);
});

test('every refusal of an unsafe public setup names the setting in full', () => {
  expect(withSetting({ ...PUBLIC, ingress: undefined })).toThrow(
    `${AT}ingress is required with exposure "public" (host and Key Vault certificate name).`,
  );
  expect(withSetting({ ...PUBLIC, signIn: { mode: 'none' } })).toThrow(
    `${AT}signIn: exposure "public" needs sign-in: set OIDC_ISSUER_URL and OIDC_CLIENT_ID_DEV (mode "oidc"), ` +
      'or ALLOW_ANONYMOUS_PUBLIC_ACCESS_DEV=true (allowAnonymousPublicAccess) to run publicly without it knowingly.',
  );
  expect(withSetting({ exposure: 'internal', ingress: PUBLIC.ingress })).toThrow(
    `${AT}ingress only applies to exposure "public"; exposure is "internal".`,
  );
  expect(withSetting({ exposure: 'internal', signIn: PUBLIC.signIn })).toThrow(
    `${AT}signIn: OIDC sign-in needs exposure "public" (an HTTPS redirect URI); exposure is "internal".`,
  );
  expect(withSetting({ exposure: 'nodeport' as never })).toThrow(`${AT}exposure must be one of clusterip, internal, public; got "nodeport".`);
});
