import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dev } from '../dev';
import { environments, InfraConfigError } from '../environment-config';
import type { EnvironmentSpec } from '../environment-spec';
import { PLATFORM_MODEL, validatePlatformModel, type PlatformModel } from '../platform-model';
import { prod } from '../prod';
import { registryConfig } from '../registry-config';

const withEnv = (change: (spec: EnvironmentSpec) => unknown): PlatformModel => ({
  ...PLATFORM_MODEL,
  environments: [change(structuredClone(dev)) as EnvironmentSpec, prod],
});
const refusal = (model: PlatformModel): string => {
  try {
    validatePlatformModel(model);
  } catch (err) {
    expect(err).toBeInstanceOf(InfraConfigError);
    return (err as Error).message;
  }
  throw new Error('model accepted');
};

test('the model holds dev then prod, one file each, and passes its schema', () => {
  expect(PLATFORM_MODEL.environments.map((e) => e.name)).toEqual(['dev', 'prod']);
  expect(() => validatePlatformModel(PLATFORM_MODEL)).not.toThrow();
});

test('each resolved environment takes its sizes, names and defaults from its file', () => {
  const [d, p] = environments({});
  for (const [config, spec] of [
    [d!, dev],
    [p!, prod],
  ] as const) {
    expect(config.networking.resourceGroupName).toBe(spec.networking.resourceGroupName);
    expect(config.networking.vnetAddressSpace).toEqual(spec.networking.vnetAddressSpace);
    expect(config.cluster).toMatchObject({
      name: spec.cluster.name,
      dnsPrefix: spec.cluster.dnsPrefix,
      systemPool: spec.cluster.systemPool,
      userPool: spec.cluster.userPool,
    });
    expect(config.monitoring).toMatchObject({ dailyQuotaGb: spec.monitoring.dailyQuotaGb, alertEmails: spec.monitoring.alertEmails });
    expect(config.data.databaseSku).toBe(spec.data.databaseSku);
    expect(config.exposure.mode).toBe(spec.exposure.mode);
    expect(config.workload).toEqual(spec.workload);
  }
});

test('the registry follows the shared part of the model', () => {
  expect(registryConfig({})).toMatchObject({
    name: 'orderplatacr',
    resourceGroupName: PLATFORM_MODEL.shared.registry.resourceGroupName,
    untaggedRetentionDays: PLATFORM_MODEL.shared.registry.untaggedRetentionDays,
  });
});

test('a broken setting is refused naming the environment, the setting, the value and the rule', () => {
  expect(refusal(withEnv((s) => ({ ...s, workload: { ...s.workload, replicas: 1 } })))).toBe(
    'dev.workload.replicas = 1: must be a whole number of at least 2',
  );
  expect(refusal(withEnv((s) => ({ ...s, workload: { ...s.workload, maxReplicas: 1 } })))).toBe(
    'dev.workload.maxReplicas = 1: must be a whole number of at least 2',
  );
  expect(refusal(withEnv((s) => ({ ...s, cluster: { ...s.cluster, userPool: { minCount: 3, maxCount: 2 } } })))).toBe(
    'dev.cluster.userPool.maxCount = 2: must be a whole number of at least minCount (3)',
  );
  expect(refusal(withEnv((s) => ({ ...s, networking: { ...s.networking, vnetAddressSpace: ['10.10.0.1/16'] } })))).toBe(
    'dev.networking.vnetAddressSpace[0] = "10.10.0.1/16": must be an IPv4 CIDR such as 10.10.0.0/16, with no host bits set',
  );
  expect(refusal(withEnv((s) => ({ ...s, monitoring: { ...s.monitoring, dailyQuotaGb: 0 } })))).toBe(
    'dev.monitoring.dailyQuotaGb = 0: must be a positive number of GB, or -1 for no cap',
  );
  expect(refusal(withEnv((s) => ({ ...s, exposure: { mode: 'public' } })))).toBe(
    'dev.exposure.mode = "public": must be clusterip or internal (public follows from PUBLIC_HOST_<ENV>)',
  );
  expect(refusal(withEnv((s) => ({ ...s, workload: { ...s.workload, replicas: '2' } })))).toBe('dev.workload.replicas = "2": must be a number');
  expect(refusal(withEnv((s) => ({ ...s, name: 'Dev' })))).toBe(
    'environments[0].name = "Dev": must be 2-10 lower-case letters and digits, starting with a letter (it names stacks, Key Vaults and variables)',
  );
});

test('a setting the model does not know is refused, so a typo is not silently ignored', () => {
  expect(refusal(withEnv((s) => ({ ...s, cluster: { ...s.cluster, dnsPrefx: 'x' } })))).toBe(
    'dev.cluster.dnsPrefx = "x": is not a setting of the platform model (see platform/environment-spec.ts)',
  );
});

test('two environments may not share a name, resource group, cluster name or DNS prefix', () => {
  expect(refusal(withEnv((s) => ({ ...s, name: 'prod' })))).toMatch(/^prod\.name = "prod": must differ from prod's/);
  expect(refusal(withEnv((s) => ({ ...s, networking: { ...s.networking, resourceGroupName: 'networking-rg' } })))).toBe(
    'prod.networking.resourceGroupName = "networking-rg": must differ from dev\'s: each environment has its own',
  );
  expect(refusal(withEnv((s) => ({ ...s, cluster: { ...s.cluster, dnsPrefix: 'MyAks-Project' } })))).toMatch(
    /^prod\.cluster\.dnsPrefix = "myaks-project": must differ from dev's/,
  );
});

test('a model without environments is refused', () => {
  expect(refusal({ ...PLATFORM_MODEL, environments: [] })).toBe('environments = []: must name at least one environment');
});

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? ['test', 'node_modules', '__snapshots__'].includes(e.name)
        ? []
        : sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );

test("no code outside the model compares an environment's name", () => {
  const root = join(__dirname, '../..');
  const offenders = ['infra', 'k8s', 'monitoring', 'platform', 'deploy-model']
    .flatMap((area) => sources(join(root, area)))
    .filter((file) =>
      /(===|!==|==|!=)\s*['"](dev|prod)['"]|['"](dev|prod)['"]\s*(===|!==|==|!=)|case\s+['"](dev|prod)['"]/.test(readFileSync(file, 'utf8')),
    );
  expect(offenders).toEqual([]);
});
