import {
  DEPLOY_SETTING_VARIABLES,
  ENVIRONMENT_NAMES,
  environments,
  InfraConfigError,
  OLDEST_SUPPORTED_KUBERNETES_MINOR,
  opensSetupWindow,
  OVERLAY_NETWORK,
  PLACEHOLDER_ADMIN_CIDR,
  PLACEHOLDER_PRINCIPAL_IDS,
  unsetDeploySettings,
  unsetSettingsIn,
  validateAddressPlan,
  validateEnvironment,
  type EnvironmentConfig,
} from '../environment-config';

const ADMINS = '5b3c1e2a-0d4f-4e8a-9c7b-1a2b3c4d5e6f';
const SQL_ADMINS = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const [, prod] = environments({
  ADMIN_CIDRS: '148.252.158.53/32',
  ADMIN_GROUP_OBJECT_ID: ADMINS,
  SQL_ADMIN_GROUP_OBJECT_ID: SQL_ADMINS,
  DEPLOYER_OBJECT_ID: '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4',
});
const withCluster = (c: Partial<EnvironmentConfig['cluster']>): EnvironmentConfig => ({ ...prod!, cluster: { ...prod!.cluster, ...c } });

test("a VNet over the overlay's service range is refused, not only one over the pod range", () => {
  const vnet = OVERLAY_NETWORK.serviceCidr;
  expect(() => validateEnvironment({ ...prod!, networking: { ...prod!.networking, vnetAddressSpace: [vnet] } })).toThrow(
    `must not overlap the cluster's overlay serviceCidr ${vnet}`,
  );
});

test('the oldest supported Kubernetes minor is accepted, patch or not; the one before is refused', () => {
  expect(() => validateEnvironment(withCluster({ kubernetesVersion: `1.${OLDEST_SUPPORTED_KUBERNETES_MINOR}` }))).not.toThrow();
  expect(() => validateEnvironment(withCluster({ kubernetesVersion: `1.${OLDEST_SUPPORTED_KUBERNETES_MINOR}.2` }))).not.toThrow();
  expect(() => validateEnvironment(withCluster({ kubernetesVersion: `1.${OLDEST_SUPPORTED_KUBERNETES_MINOR - 1}` }))).toThrow(
    'is no longer supported by AKS',
  );
});

test("the SQL administrators' group may not be the administrators' group written in other letter case (GUIDs compare case-insensitively)", () => {
  const config = { ...prod!, access: { ...prod!.access, sqlAdminGroup: { objectId: ADMINS.toUpperCase(), displayName: 'x' } } };
  expect(() => validateEnvironment(config)).toThrow('must differ from adminGroup');
});

test('environments never overlap: a network peered with both can route to both', () => {
  expect(() => environments({ VNET_ADDRESS_SPACE_PROD: '10.10.128.0/17' })).toThrow(
    'prod.networking.vnetAddressSpace[0] = "10.10.128.0/17": ' +
      "must not overlap dev's 10.10.0.0/16: a network peered with both environments could not route to both",
  );
  const [d, p] = environments({ VNET_ADDRESS_SPACE_DEV: '10.64.0.0/20', VNET_ADDRESS_SPACE_PROD: '10.65.0.0/16' });
  expect(d!.networking).toMatchObject({
    vnetAddressSpace: ['10.64.0.0/20'],
    controlPlaneSubnetCidr: '10.64.1.0/24',
    workerNodeSubnetCidr: '10.64.2.0/24',
    privateEndpointSubnetCidr: '10.64.3.0/24',
    deployAgentSubnetCidr: '10.64.4.0/24',
  });
  expect(() => validateAddressPlan([d!, { ...p!, networking: { ...p!.networking, vnetAddressSpace: ['10.64.0.0/16'] } }])).toThrow(
    "must not overlap dev's 10.64.0.0/20",
  );
  expect(() => environments({ VNET_ADDRESS_SPACE_DEV: '10.64.0.0/24' })).toThrow('must be an IPv4 CIDR of /21 or larger');
});

describe('an invalid network setting is refused with a message naming it', () => {
  const withNet = (n: Partial<EnvironmentConfig['networking']>): EnvironmentConfig => ({ ...prod!, networking: { ...prod!.networking, ...n } });
  test.each([
    [
      { workerNodeSubnetCidr: '10.1.2.0/24' },
      'prod.networking.workerNodeSubnetCidr = "10.1.2.0/24": must lie inside the VNet address space 10.20.0.0/16',
    ],
    [
      { workerNodeSubnetCidr: '10.20.1.128/25' },
      'prod.networking.workerNodeSubnetCidr = "10.20.1.128/25": must not overlap controlPlaneSubnetCidr 10.20.1.0/24',
    ],
    [
      { privateEndpointSubnetCidr: '10.20.2.0/25' },
      'prod.networking.privateEndpointSubnetCidr = "10.20.2.0/25": must not overlap workerNodeSubnetCidr 10.20.2.0/24',
    ],
    [
      { deployAgentSubnetCidr: '10.20.3.0/24' },
      'prod.networking.deployAgentSubnetCidr = "10.20.3.0/24": must not overlap privateEndpointSubnetCidr 10.20.3.0/24',
    ],
    [{ deployAgentSubnetCidr: '10.20.5.0/29' }, 'prod.networking.deployAgentSubnetCidr = "10.20.5.0/29": must be a /28 or larger'],
    [{ controlPlaneSubnetCidr: '10.20.1.5/24' }, 'prod.networking.controlPlaneSubnetCidr = "10.20.1.5/24": must be an IPv4 CIDR'],
    [
      { vnetAddressSpace: ['192.168.0.0/16'] },
      'prod.networking.vnetAddressSpace[0] = "192.168.0.0/16": must not overlap the cluster\'s overlay podCidr 192.168.0.0/16',
    ],
    [{ vnetAddressSpace: ['20.20.0.0/16'] }, 'prod.networking.vnetAddressSpace[0] = "20.20.0.0/16": must be a private range (RFC 1918)'],
    [{ adminCidrs: ['10.1.0.0/16'] }, 'prod.networking.adminCidrs[0] = "10.1.0.0/16": must be a public address range'],
    [{ adminCidrs: ['0.0.0.0/0'] }, 'prod.networking.adminCidrs[0] = "0.0.0.0/0": must be a specific CIDR, not the whole Internet'],
    [{ adminCidrs: ['*'] }, 'prod.networking.adminCidrs[0] = "*": must be a specific CIDR, not the whole Internet'],
    [{ adminCidrs: [] }, 'prod.networking.adminCidrs = []: must name at least one admin CIDR'],
    [{ sshSourceCidrs: ['148.252.158.53/32'] }, 'prod.networking.sshSourceCidrs[0] = "148.252.158.53/32": SSH is allowed only from private ranges'],
  ])('%j', (networking, message) => {
    expect(() => validateEnvironment(withNet(networking))).toThrow(InfraConfigError);
    expect(() => validateEnvironment(withNet(networking))).toThrow(message);
  });

  test('ADMIN_CIDRS of 0.0.0.0/0 is refused for every environment', () => {
    expect(() => environments({ ADMIN_CIDRS: '0.0.0.0/0' })).toThrow('dev.networking.adminCidrs[0] = "0.0.0.0/0"');
  });
});

describe('an invalid cluster, monitoring, data, access or exposure setting is refused with a message naming it', () => {
  test.each([
    ['prod.cluster.kubernetesVersion = "1.26.6": is no longer supported by AKS', withCluster({ kubernetesVersion: '1.26.6' })],
    ['prod.cluster.kubernetesVersion = "latest": must be a Kubernetes version', withCluster({ kubernetesVersion: 'latest' })],
    ['prod.cluster.userPool.maxPods = 30: must be from 50 to 250', withCluster({ userPool: { ...prod!.cluster.userPool, maxPods: 30 } })],
    [
      'prod.cluster.userPool.maxCount = 2: must be a whole number of at least minCount (5)',
      withCluster({ userPool: { ...prod!.cluster.userPool, minCount: 5, maxCount: 2 } }),
    ],
    ['prod.cluster.zones = ["4"]', withCluster({ zones: ['4'] })],
    ['prod.cluster.kubernetesVersion = "1.33": is no longer supported by AKS; use 1.35 or later', withCluster({ kubernetesVersion: '1.33' })],
    [
      'prod.access.adminGroup.objectId = "admins": must be the Entra object id (a GUID) of the group (ADMIN_GROUP_OBJECT_ID)',
      { ...prod!, access: { ...prod!.access, adminGroup: { objectId: 'admins', displayName: 'x' } } },
    ],
    [
      'prod.access.sqlAdminGroup.displayName = " sql"',
      { ...prod!, access: { ...prod!.access, sqlAdminGroup: { objectId: SQL_ADMINS, displayName: ' sql' } } },
    ],
    [
      'prod.access.sqlAdminGroup.objectId = "5b3c1e2a-0d4f-4e8a-9c7b-1a2b3c4d5e6f": must differ from adminGroup',
      { ...prod!, access: { ...prod!.access, sqlAdminGroup: { objectId: ADMINS, displayName: 'x' } } },
    ],
    [
      'prod.exposure.internalClientCidrs[0] = "192.168.0.0/16": must not overlap the cluster\'s overlay podCidr 192.168.0.0/16',
      { ...prod!, exposure: { ...prod!.exposure, internalClientCidrs: ['192.168.0.0/16'] } },
    ],
    ['prod.access.adminGroup.displayName = "a]b"', { ...prod!, access: { ...prod!.access, adminGroup: { objectId: ADMINS, displayName: 'a]b' } } }],
    [
      'prod.access.deployerObjectId = "pipeline": must be the Entra object id (a GUID) of the pipeline\'s service principal (DEPLOYER_OBJECT_ID)',
      { ...prod!, access: { ...prod!.access, deployerObjectId: 'pipeline' } },
    ],
    [
      'prod.access.deployerObjectId = "5b3c1e2a-0d4f-4e8a-9c7b-1a2b3c4d5e6f": must be the pipeline\'s service principal, not one of the groups',
      { ...prod!, access: { ...prod!.access, deployerObjectId: ADMINS } },
    ],
    [
      'prod.exposure.publicHost = null: must be a DNS name such as orders.example.com (PUBLIC_HOST_<ENV>)',
      { ...prod!, exposure: { ...prod!.exposure, mode: 'public' as const } },
    ],
    [
      'prod.exposure.publicHost = "orders.shop.example": only applies to exposure "public"; exposure is "internal"',
      { ...prod!, exposure: { ...prod!.exposure, publicHost: 'orders.shop.example' } },
    ],
    [
      'prod.exposure.internalClientCidrs[0] = "0.0.0.0/0": must be a private range',
      { ...prod!, exposure: { ...prod!.exposure, internalClientCidrs: ['0.0.0.0/0'] } },
    ],
    [
      'prod.monitoring.retentionDays = 7: must be a whole number of days from 30 to 730',
      { ...prod!, monitoring: { ...prod!.monitoring, retentionDays: 7 } },
    ],
    [
      'prod.monitoring.alertEmails[0] = "devops-at-example": must be an e-mail address',
      { ...prod!, monitoring: { ...prod!.monitoring, alertEmails: ['devops-at-example'] } },
    ],
    ['prod.monitoring.alertEmails = []: must name at least one e-mail address', { ...prod!, monitoring: { ...prod!.monitoring, alertEmails: [] } }],
    ['prod.data.keyVaultName = "kv_with_underscores"', { ...prod!, data: { ...prod!.data, keyVaultName: 'kv_with_underscores' } }],
    ['prod.data.auditRetentionDays = 30: must be at least 90 days', { ...prod!, data: { ...prod!.data, auditRetentionDays: 30 } }],
  ])('%s', (message, config) => {
    expect(() => validateEnvironment(config)).toThrow(InfraConfigError);
    expect(() => validateEnvironment(config)).toThrow(message);
  });
});

test('without settings, an environment is its platform model entry with the documented defaults and placeholders', () => {
  expect(environments({})[0]).toEqual({
    name: 'dev',
    location: 'uksouth',
    tags: { project: 'order-platform', environment: 'dev', 'managed-by': 'cdktf' },
    networking: {
      resourceGroupName: 'networking-rg-dev',
      vnetName: 'aks-vnet',
      vnetAddressSpace: ['10.10.0.0/16'],
      controlPlaneSubnetCidr: '10.10.1.0/24',
      workerNodeSubnetCidr: '10.10.2.0/24',
      privateEndpointSubnetCidr: '10.10.3.0/24',
      deployAgentSubnetCidr: '10.10.4.0/24',
      nsgName: 'aks-nsg',
      adminCidrs: ['203.0.113.0/28'],
      sshSourceCidrs: [],
    },
    cluster: {
      name: 'terraform-aks-cluster-dev',
      dnsPrefix: 'myaks-project-dev',
      kubernetesVersion: '1.36',
      zones: ['1', '2', '3'],
      systemPool: { vmSize: 'Standard_D4ds_v5', minCount: 1, maxCount: 3, maxPods: 50 },
      userPool: { vmSize: 'Standard_D4ds_v5', minCount: 1, maxCount: 3, maxPods: 50 },
    },
    monitoring: {
      retentionDays: 90,
      dailyQuotaGb: 1,
      monthlyBudget: 600,
      alertEmails: ['devops@example.com'],
      alerts: { nodeCpuPercent: 80, nodeMemoryPercent: 80, nodeDiskPercent: 90, appErrorRatePercent: 5, podRestarts: 3 },
    },
    data: {
      keyVaultName: 'orderplat-dev-kv',
      sqlServerName: 'orderplat-dev-sql',
      databaseName: 'orders',
      databaseSku: 'Basic',
      sqlAuth: 'entra',
      auditRetentionDays: 90,
      secretExpiryDays: 365,
      keyVaultPurgeProtection: true,
      keyVaultSoftDeleteRetentionDays: 7,
    },
    access: {
      adminGroup: { objectId: '00000000-0000-0000-0000-00000000000a', displayName: 'order-platform-admins' },
      sqlAdminGroup: { objectId: '00000000-0000-0000-0000-00000000000b', displayName: 'order-platform-sql-admins' },
      deployerObjectId: '00000000-0000-0000-0000-00000000000d',
    },
    exposure: { mode: 'clusterip', internalClientCidrs: ['10.0.0.0/8'] },
    workload: {
      replicas: 2,
      maxReplicas: 4,
      resources: {
        cpuRequestMillis: 100,
        cpuLimitMillis: 500,
        memoryRequestMiB: 160,
        memoryLimitMiB: 256,
        ephemeralStorageRequestMiB: 64,
        ephemeralStorageLimitMiB: 256,
      },
    },
  });
});

test('the deploy variables are read trimmed; lists are comma-separated with blanks dropped; a blank variable is unset', () => {
  const [dev, prodFromEnv] = environments({
    ADMIN_CIDRS: ' 148.252.158.53/32 , ,198.51.100.0/24',
    ADMIN_GROUP_OBJECT_ID: ` ${ADMINS} `,
    ADMIN_GROUP_NAME: ' Platform Admins ',
    SQL_ADMIN_GROUP_OBJECT_ID: ' ',
    SQL_ADMIN_GROUP_NAME: '',
    DEPLOYER_OBJECT_ID: '',
    GLOBAL_NAME_PREFIX: 'acme',
    ALERT_EMAILS: 'ops@shop.example, oncall@shop.example',
    INTERNAL_CLIENT_CIDRS: '10.50.0.0/16,10.60.0.0/16',
    PUBLIC_HOST_PROD: ' orders.shop.example ',
    PUBLIC_HOST_DEV: ' ',
    VNET_ADDRESS_SPACE_DEV: '10.64.0.0/16, 10.65.0.0/16',
  });
  expect(dev!.networking.adminCidrs).toEqual(['148.252.158.53/32', '198.51.100.0/24']);
  expect(dev!.networking.vnetAddressSpace).toEqual(['10.64.0.0/16', '10.65.0.0/16']);
  expect(dev!.access).toEqual({
    adminGroup: { objectId: ADMINS, displayName: 'Platform Admins' },
    sqlAdminGroup: { objectId: '00000000-0000-0000-0000-00000000000b', displayName: 'order-platform-sql-admins' },
    deployerObjectId: '00000000-0000-0000-0000-00000000000d',
  });
  expect(dev!.data).toMatchObject({ keyVaultName: 'acme-dev-kv', sqlServerName: 'acme-dev-sql' });
  expect(dev!.monitoring.alertEmails).toEqual(['ops@shop.example', 'oncall@shop.example']);
  expect(dev!.exposure).toEqual({ mode: 'clusterip', internalClientCidrs: ['10.50.0.0/16', '10.60.0.0/16'] });
  expect(prodFromEnv!.exposure).toEqual({ mode: 'public', publicHost: 'orders.shop.example', internalClientCidrs: ['10.50.0.0/16', '10.60.0.0/16'] });
});

test('the settings a deploy needs are named while they hold placeholders, in the config and in a synthesized stack', () => {
  const [placeholders] = environments({});
  const all = ['ADMIN_GROUP_OBJECT_ID', 'SQL_ADMIN_GROUP_OBJECT_ID', 'DEPLOYER_OBJECT_ID', 'ADMIN_CIDRS'];
  expect(DEPLOY_SETTING_VARIABLES).toEqual(all);
  expect(unsetDeploySettings(placeholders!)).toEqual(all);
  expect(unsetDeploySettings(prod!)).toEqual([]);
  expect(unsetSettingsIn(JSON.stringify(placeholders))).toEqual(all);
  expect(unsetSettingsIn(JSON.stringify({ ...prod, note: '00000000-0000-0000-0000-00000000000a is a placeholder' }))).toEqual([]);
  expect(unsetSettingsIn(JSON.stringify({ ...prod, deployer: PLACEHOLDER_PRINCIPAL_IDS.deployer }))).toEqual(['DEPLOYER_OBJECT_ID']);
});

const at = (path: string, value: unknown, rule: string) => `prod.${path} = ${JSON.stringify(value)}: ${rule}`;
const withNetworking = (n: Partial<EnvironmentConfig['networking']>): EnvironmentConfig => ({ ...prod!, networking: { ...prod!.networking, ...n } });
const withData = (d: Partial<EnvironmentConfig['data']>): EnvironmentConfig => ({ ...prod!, data: { ...prod!.data, ...d } });
const withMonitoring = (m: Partial<EnvironmentConfig['monitoring']>): EnvironmentConfig => ({ ...prod!, monitoring: { ...prod!.monitoring, ...m } });
const withAccess = (a: Partial<EnvironmentConfig['access']>): EnvironmentConfig => ({ ...prod!, access: { ...prod!.access, ...a } });
const withExposure = (e: Partial<EnvironmentConfig['exposure']>): EnvironmentConfig => ({ ...prod!, exposure: { ...prod!.exposure, ...e } });
const pool = (p: Partial<EnvironmentConfig['cluster']['userPool']>) => ({ ...prod!.cluster.userPool, ...p });

test.each([
  ['the smallest deploy-agent subnet, a /28', withNetworking({ deployAgentSubnetCidr: '10.20.4.0/28' })],
  ['SSH from a private range', withNetworking({ sshSourceCidrs: ['10.20.9.0/24'] })],
  ['two admin ranges', withNetworking({ adminCidrs: ['148.252.158.53/32', '198.51.100.0/24'] })],
  [
    'the oldest and newest node counts and pod limits',
    withCluster({ systemPool: pool({ minCount: 1, maxCount: 1, maxPods: 50 }), userPool: pool({ maxPods: 250 }) }),
  ],
  ['two zones', withCluster({ zones: ['1', '2'] })],
  ['a DNS prefix of 2 and one of 54 characters', withCluster({ dnsPrefix: 'ab' }), withCluster({ dnsPrefix: `a${'b'.repeat(52)}c` })],
  ['log retention of 30 and of 730 days', withMonitoring({ retentionDays: 30 }), withMonitoring({ retentionDays: 730 })],
  ['no ingestion cap, or half a GB', withMonitoring({ dailyQuotaGb: -1 }), withMonitoring({ dailyQuotaGb: 0.5 })],
  ['Key Vault names of 3 and 24 characters', withData({ keyVaultName: 'a-b' }), withData({ keyVaultName: `k${'v'.repeat(23)}` })],
  ['SQL server names of 2 and 63 characters', withData({ sqlServerName: 'a1' }), withData({ sqlServerName: `s${'q'.repeat(61)}l` })],
  ['a database name of 128 characters', withData({ databaseName: `d_${'b'.repeat(125)}-` })],
  [
    'an audit retention of 90 days and secrets expiring after 1 or 730 days',
    withData({ auditRetentionDays: 90, secretExpiryDays: 1 }),
    withData({ secretExpiryDays: 730 }),
  ],
  ['a group display name of 128 characters', withAccess({ adminGroup: { objectId: ADMINS, displayName: 'A'.repeat(128) } })],
  ['public exposure with a host', withExposure({ mode: 'public', publicHost: 'orders.shop.example' })],
] as [string, ...EnvironmentConfig[]][])('accepts %s', (_name, ...configs) => {
  for (const config of configs) expect(validateEnvironment(config)).toBe(config);
});

test.each([
  [withNetworking({ vnetAddressSpace: [] }), at('networking.vnetAddressSpace', [], 'must name at least one CIDR')],
  [withNetworking({ adminCidrs: [' * '] }), at('networking.adminCidrs[0]', ' * ', 'must be a specific CIDR, not the whole Internet (ADMIN_CIDRS)')],
  [
    withNetworking({ adminCidrs: [' Internet '] }),
    at('networking.adminCidrs[0]', ' Internet ', 'must be a specific CIDR, not the whole Internet (ADMIN_CIDRS)'),
  ],
  [withNetworking({ adminCidrs: ['any'] }), at('networking.adminCidrs[0]', 'any', 'must be a specific CIDR, not the whole Internet (ADMIN_CIDRS)')],
  [
    withNetworking({ adminCidrs: ['148.252.158.53/32', 'admins'] }),
    at('networking.adminCidrs[1]', 'admins', 'must be an IPv4 CIDR such as 198.51.100.7/32, with no host bits set (ADMIN_CIDRS)'),
  ],
  [withNetworking({ sshSourceCidrs: ['10.20.9.0/24', 'bastion'] }), at('networking.sshSourceCidrs[1]', 'bastion', 'must be an IPv4 CIDR')],
  [
    withNetworking({ sshSourceCidrs: ['148.252.158.53/32'] }),
    at('networking.sshSourceCidrs[0]', '148.252.158.53/32', 'SSH is allowed only from private ranges (a bastion or VPN), never from the Internet'),
  ],
  [{ ...prod!, location: 'uk-south' }, 'prod.location = "uk-south": must be an Azure region name such as uksouth'],
  [{ ...prod!, location: 'uksouth!' }, 'prod.location = "uksouth!": must be an Azure region name such as uksouth'],
  [{ ...prod!, location: 'UKSouth' }, 'prod.location = "UKSouth": must be an Azure region name such as uksouth'],
  [withCluster({ kubernetesVersion: 'v1.36' }), at('cluster.kubernetesVersion', 'v1.36', 'must be a Kubernetes version such as 1.36')],
  [withCluster({ kubernetesVersion: '1.36.1.2' }), at('cluster.kubernetesVersion', '1.36.1.2', 'must be a Kubernetes version such as 1.36')],
  [withCluster({ kubernetesVersion: '1.36.x' }), at('cluster.kubernetesVersion', '1.36.x', 'must be a Kubernetes version such as 1.36')],
  ...['a', '-ab', 'ab-', 'a_b', `a${'b'.repeat(53)}c`].map((dnsPrefix) => [
    withCluster({ dnsPrefix }),
    at('cluster.dnsPrefix', dnsPrefix, 'must be 2-54 letters, digits and dashes, starting and ending with a letter or digit'),
  ]),
  [withCluster({ zones: [] }), at('cluster.zones', [], 'must list availability zones from "1", "2", "3"')],
  [withCluster({ zones: ['1', 'westeurope-1'] }), at('cluster.zones', ['1', 'westeurope-1'], 'must list availability zones from "1", "2", "3"')],
  [withCluster({ systemPool: pool({ minCount: 0 }) }), at('cluster.systemPool.minCount', 0, 'must be a whole number of at least 1')],
  [withCluster({ systemPool: pool({ minCount: 1.5 }) }), at('cluster.systemPool.minCount', 1.5, 'must be a whole number of at least 1')],
  [
    withCluster({ systemPool: pool({ minCount: 2, maxCount: 2.5 }) }),
    at('cluster.systemPool.maxCount', 2.5, 'must be a whole number of at least minCount (2)'),
  ],
  [withCluster({ systemPool: pool({ maxPods: 49 }) }), at('cluster.systemPool.maxPods', 49, 'must be from 50 to 250')],
  [withCluster({ userPool: pool({ maxPods: 251 }) }), at('cluster.userPool.maxPods', 251, 'must be from 50 to 250')],
  [withCluster({ userPool: pool({ maxPods: 50.5 }) }), at('cluster.userPool.maxPods', 50.5, 'must be from 50 to 250')],
  [withMonitoring({ retentionDays: 29 }), at('monitoring.retentionDays', 29, 'must be a whole number of days from 30 to 730')],
  [withMonitoring({ retentionDays: 731 }), at('monitoring.retentionDays', 731, 'must be a whole number of days from 30 to 730')],
  [withMonitoring({ retentionDays: 90.5 }), at('monitoring.retentionDays', 90.5, 'must be a whole number of days from 30 to 730')],
  [withMonitoring({ dailyQuotaGb: 0 }), at('monitoring.dailyQuotaGb', 0, 'must be a positive number of GB, or -1 for no cap')],
  [withMonitoring({ dailyQuotaGb: -2 }), at('monitoring.dailyQuotaGb', -2, 'must be a positive number of GB, or -1 for no cap')],
  [withMonitoring({ dailyQuotaGb: Number.NaN }), at('monitoring.dailyQuotaGb', null, 'must be a positive number of GB, or -1 for no cap')],
  ...['ab', `k${'v'.repeat(24)}`, 'a--b', '1abc', 'abc-', 'a_bc'].map((keyVaultName) => [
    withData({ keyVaultName }),
    at(
      'data.keyVaultName',
      keyVaultName,
      'must be 3-24 letters, digits and single dashes, starting with a letter ' +
        '(it is <GLOBAL_NAME_PREFIX>-<env>-kv: keep GLOBAL_NAME_PREFIX to 16 characters or fewer)',
    ),
  ]),
  ...['a', 'Orders-sql', '-ab', 'ab-', `s${'q'.repeat(62)}l`].map((sqlServerName) => [
    withData({ sqlServerName }),
    at('data.sqlServerName', sqlServerName, 'must be 2-63 lower-case letters, digits and dashes'),
  ]),
  ...['', 'a b', 'd'.repeat(129)].map((databaseName) => [
    withData({ databaseName }),
    at('data.databaseName', databaseName, 'must be 1-128 letters, digits, dashes and underscores'),
  ]),
  [withData({ auditRetentionDays: 89 }), at('data.auditRetentionDays', 89, 'must be at least 90 days')],
  [withData({ auditRetentionDays: 90.5 }), at('data.auditRetentionDays', 90.5, 'must be at least 90 days')],
  [withData({ secretExpiryDays: 0 }), at('data.secretExpiryDays', 0, 'must be from 1 to 730 days')],
  [withData({ secretExpiryDays: 731 }), at('data.secretExpiryDays', 731, 'must be from 1 to 730 days')],
  [withData({ secretExpiryDays: 1.5 }), at('data.secretExpiryDays', 1.5, 'must be from 1 to 730 days')],
  [
    withAccess({ sqlAdminGroup: { objectId: `${SQL_ADMINS}0`, displayName: 'x' } }),
    at('access.sqlAdminGroup.objectId', `${SQL_ADMINS}0`, 'must be the Entra object id (a GUID) of the group (SQL_ADMIN_GROUP_OBJECT_ID)'),
  ],
  ...['', 'A'.repeat(129), 'admins ', 'a\u0007b', 'a]b'].map((displayName) => [
    withAccess({ adminGroup: { objectId: ADMINS, displayName } }),
    at(
      'access.adminGroup.displayName',
      displayName,
      'must be the group\'s display name, 1-128 characters without "]" or surrounding spaces (ADMIN_GROUP_NAME)',
    ),
  ]),
  [
    withAccess({ deployerObjectId: SQL_ADMINS.toUpperCase() }),
    at('access.deployerObjectId', SQL_ADMINS.toUpperCase(), "must be the pipeline's service principal, not one of the groups"),
  ],
  [withExposure({ mode: 'nodeport' as never }), at('exposure.mode', 'nodeport', 'must be one of clusterip, internal, public')],
  [
    withExposure({ mode: 'public', publicHost: 'Orders.shop.example' }),
    at('exposure.publicHost', 'Orders.shop.example', 'must be a DNS name such as orders.example.com (PUBLIC_HOST_<ENV>)'),
  ],
  [
    withExposure({ mode: 'public', publicHost: 'x.io.' }),
    at('exposure.publicHost', 'x.io.', 'must be a DNS name such as orders.example.com (PUBLIC_HOST_<ENV>)'),
  ],
  [
    withExposure({ mode: 'clusterip', publicHost: 'orders.shop.example' }),
    at('exposure.publicHost', 'orders.shop.example', 'only applies to exposure "public"; exposure is "clusterip"'),
  ],
  [withExposure({ internalClientCidrs: [] }), at('exposure.internalClientCidrs', [], 'must name at least one private CIDR')],
  [
    withExposure({ internalClientCidrs: ['10.50.0.0/16', 'office'] }),
    at('exposure.internalClientCidrs[1]', 'office', 'must be an IPv4 CIDR such as 10.50.0.0/16 (INTERNAL_CLIENT_CIDRS)'),
  ],
  [
    withExposure({ internalClientCidrs: ['172.16.0.0/12'] }),
    at(
      'exposure.internalClientCidrs[0]',
      '172.16.0.0/12',
      "must not overlap the cluster's overlay serviceCidr 172.16.0.0/16: " +
        'replies to such clients would be routed into the overlay (INTERNAL_CLIENT_CIDRS)',
    ),
  ],
] as [EnvironmentConfig, string][])('refuses %#: %s', (config, message) => {
  expect(() => validateEnvironment(config)).toThrow(InfraConfigError);
  expect(() => validateEnvironment(config)).toThrow(message);
});

test('the address plan takes five /24s of a /21 or larger range, and refuses a narrower one', () => {
  const [d] = environments({ VNET_ADDRESS_SPACE_DEV: '10.64.0.0/21' });
  expect(d!.networking.deployAgentSubnetCidr).toBe('10.64.4.0/24');
  expect(() => environments({ VNET_ADDRESS_SPACE_DEV: '10.64.0.0/22' })).toThrow(
    'networking.vnetAddressSpace[0] = "10.64.0.0/22": must be an IPv4 CIDR of /21 or larger (the address plan takes five /24 subnets)',
  );
  expect(() => environments({ VNET_ADDRESS_SPACE_DEV: 'nonsense' })).toThrow(
    'networking.vnetAddressSpace[0] = "nonsense": must be an IPv4 CIDR of /21',
  );
});

describe('settings refused in detail: the entry named by its position, the variable that sets it', () => {
  const SETUP_RULE =
    "must be one public IPv4 address as a /32, such as 203.0.113.7/32: this machine's address as the Internet sees it (SETUP_ACCESS_CIDR)";
  test.each([
    [
      withNetworking({ adminCidrs: [' any '] }),
      at('networking.adminCidrs[0]', ' any ', 'must be a specific CIDR, not the whole Internet (ADMIN_CIDRS)'),
    ],
    [
      withNetworking({ vnetAddressSpace: ['10.20.0.0/16', '10.30.0.1/16'] }),
      at('networking.vnetAddressSpace[1]', '10.30.0.1/16', 'must be an IPv4 CIDR such as 10.0.1.0/24, with no host bits set'),
    ],
    [
      withNetworking({ vnetAddressSpace: ['10.20.0.0/16', '20.20.0.0/16'] }),
      at('networking.vnetAddressSpace[1]', '20.20.0.0/16', 'must be a private range (RFC 1918) (VNET_ADDRESS_SPACE_PROD)'),
    ],
    [
      withNetworking({ vnetAddressSpace: ['10.20.0.0/16', '10.21.0.0/16'], workerNodeSubnetCidr: '10.1.2.0/24' }),
      at('networking.workerNodeSubnetCidr', '10.1.2.0/24', 'must lie inside the VNet address space 10.20.0.0/16, 10.21.0.0/16'),
    ],
    ...['10.1.2.3/32', '148.252.158.0/24', 'my-laptop', '0.0.0.0/0'].map((cidr) => [
      withAccess({ setupAccessCidr: cidr }),
      at('access.setupAccessCidr', cidr, SETUP_RULE),
    ]),
    [
      withMonitoring({ alerts: { ...prod!.monitoring.alerts, nodeDiskPercent: 100 } }),
      at('monitoring.alerts.nodeDiskPercent', 100, 'must be a percentage above 0 and below 100'),
    ],
    ...[`${'a'.repeat(63)}.`.repeat(4) + 'io', 'orders.shop.example\nevil.example'].map((publicHost) => [
      withExposure({ mode: 'public', publicHost }),
      at('exposure.publicHost', publicHost, 'must be a DNS name such as orders.example.com (PUBLIC_HOST_<ENV>)'),
    ]),
  ] as [EnvironmentConfig, string][])('refuses %#: %s', (config, message) => {
    expect(() => validateEnvironment(config)).toThrow(InfraConfigError);
    expect(() => validateEnvironment(config)).toThrow(message);
  });

  test.each([
    ['a setup window for one public address', withAccess({ setupAccessCidr: '148.252.158.53/32' })],
    ['a two-digit patch release', withCluster({ kubernetesVersion: `1.${OLDEST_SUPPORTED_KUBERNETES_MINOR}.12` })],
    ['a one-letter DNS label', withExposure({ mode: 'public', publicHost: 'a.b.shop.example' })],
    ['a host of 253 characters', withExposure({ mode: 'public', publicHost: `${'a'.repeat(63)}.`.repeat(3) + 'b'.repeat(58) + '.io' })],
  ] as [string, EnvironmentConfig][])('accepts %s', (_name, config) => {
    expect(validateEnvironment(config)).toBe(config);
  });

  test('a broken monitoring section is a programming error, not reported as a setting', () => {
    const broken = withMonitoring({ alerts: null as never });
    expect(() => validateEnvironment(broken)).toThrow(TypeError);
  });

  test('an overlap between environments names the variable that moves the second one', () => {
    expect(() => environments({ VNET_ADDRESS_SPACE_PROD: '10.10.128.0/17' })).toThrow(
      new InfraConfigError(
        'prod.networking.vnetAddressSpace[0]',
        '10.10.128.0/17',
        "must not overlap dev's 10.10.0.0/16: a network peered with both environments could not route to both (VNET_ADDRESS_SPACE_PROD)",
      ).message,
    );
  });
});

test('SQL_ADMIN_GROUP_NAME, DEPLOYER_OBJECT_ID and SETUP_ACCESS_CIDR are read trimmed; a blank SETUP_ACCESS_CIDR opens no window', () => {
  const deployer = '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4';
  const [dev] = environments({ SQL_ADMIN_GROUP_NAME: ' SQL Admins ', DEPLOYER_OBJECT_ID: ` ${deployer} `, SETUP_ACCESS_CIDR: ' 148.252.158.53/32 ' });
  expect(dev!.access).toMatchObject({
    sqlAdminGroup: { displayName: 'SQL Admins' },
    deployerObjectId: deployer,
    setupAccessCidr: '148.252.158.53/32',
  });
  expect(environments({ SETUP_ACCESS_CIDR: '  ' })[0]!.access).not.toHaveProperty('setupAccessCidr');
  expect(() => environments({ SETUP_ACCESS_CIDR: '10.0.0.1/32' })).toThrow(
    'dev.access.setupAccessCidr = "10.0.0.1/32": must be one public IPv4 address',
  );
});

test('the environment names are the platform model’s, in deploy order', () => {
  expect(ENVIRONMENT_NAMES).toEqual(['dev', 'prod']);
  expect(environments({}).map((e) => e.name)).toEqual(ENVIRONMENT_NAMES);
});

test("a synthesized stack opens the setup window exactly when it holds the window's firewall rule", () => {
  const rule = (name: string, spaced = false): string => JSON.stringify({ name, start_ip_address: '148.252.158.53' }, null, spaced ? 2 : 0);
  expect(opensSetupWindow(rule('setup-window'))).toBe(true);
  expect(opensSetupWindow(rule('setup-window', true))).toBe(true);
  expect(opensSetupWindow(rule(''))).toBe(false);
  expect(opensSetupWindow(rule('allow-azure-services'))).toBe(false);
});

test('an admin range list with one real range beside the placeholder is set', () => {
  const [dev] = environments({ ADMIN_CIDRS: `${PLACEHOLDER_ADMIN_CIDR},148.252.158.53/32` });
  expect(unsetDeploySettings(dev!)).not.toContain('ADMIN_CIDRS');
  expect(unsetDeploySettings(environments({ ADMIN_CIDRS: PLACEHOLDER_ADMIN_CIDR })[0]!)).toContain('ADMIN_CIDRS');
});
