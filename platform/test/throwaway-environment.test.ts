import { writeManifests } from '../../k8s/synth-manifests';
import { chartEnvironments } from '../../k8s/config/chart-environments';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { all, only, synthEnvironment } from '../../test-helpers/synth-helpers';
import { dev } from '../dev';
import { environments } from '../environment-config';
import type { EnvironmentSpec } from '../environment-spec';
import { PLATFORM_MODEL, type PlatformModel } from '../platform-model';

// An environment that exists only in this test: adding one is a new file in platform/, nothing else.
const qa: EnvironmentSpec = {
  ...structuredClone(dev),
  name: 'qa',
  networking: { resourceGroupName: 'networking-rg-qa', vnetAddressSpace: ['10.30.0.0/16'] },
  cluster: {
    ...structuredClone(dev.cluster),
    name: 'terraform-aks-cluster-qa',
    dnsPrefix: 'myaks-project-qa',
    userPool: { minCount: 2, maxCount: 5 },
  },
  exposure: { mode: 'internal' },
  workload: { ...structuredClone(dev.workload), replicas: 3, maxReplicas: 6 },
};
const model: PlatformModel = { ...PLATFORM_MODEL, environments: [...PLATFORM_MODEL.environments, qa] };

test('the throw-away environment resolves after the others, with its own address plan and names', () => {
  const configs = environments({}, model);
  expect(configs.map((c) => c.name)).toEqual(['dev', 'prod', 'qa']);
  const config = configs[2]!;
  expect(config.networking).toMatchObject({
    resourceGroupName: 'networking-rg-qa',
    vnetAddressSpace: ['10.30.0.0/16'],
    workerNodeSubnetCidr: '10.30.2.0/24',
  });
  expect(config.data).toMatchObject({ keyVaultName: 'orderplat-qa-kv', sqlServerName: 'orderplat-qa-sql' });
});

test('every stack synthesizes for the throw-away environment', () => {
  const config = environments({}, model).find((c) => c.name === 'qa')!;
  const { network, platform, registry } = synthEnvironment(config);
  expect(only(network.resource, 'azurerm_resource_group').name).toBe('networking-rg-qa');
  expect(only(network.resource, 'azurerm_virtual_network').address_space).toEqual(['10.30.0.0/16']);
  const cluster = only(platform.resource, 'azurerm_kubernetes_cluster') as any;
  expect(cluster).toMatchObject({ name: 'terraform-aks-cluster-qa', dns_prefix: 'myaks-project-qa' });
  expect(only(platform.resource, 'azurerm_kubernetes_cluster_node_pool')).toMatchObject({ min_count: 2, max_count: 5 });
  expect(only(platform.resource, 'azurerm_key_vault').name).toBe('orderplat-qa-kv');
  expect(all(registry.resource, 'azurerm_container_registry')).toHaveLength(1);
});

test('every manifest synthesizes for the throw-away environment', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'qa-manifests-'));
  try {
    const configs = chartEnvironments({ env: {}, model });
    expect(configs.map((c) => c.environment)).toEqual(['dev', 'prod', 'qa']);
    const paths = writeManifests(
      configs.filter((c) => c.environment === 'qa'),
      outdir,
    );
    expect(paths).toEqual([join(outdir, 'qa', 'application-manifest.yaml')]);
    const objects = parseAllDocuments(readFileSync(paths[0]!, 'utf8')).map((d) => d.toJS() as any);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 6 });
    expect(objects.find((o) => o.kind === 'Service').spec.type).toBe('LoadBalancer');
    expect(JSON.stringify(objects)).toContain('https://orderplat-qa-kv.vault.azure.net/');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
