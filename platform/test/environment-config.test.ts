import {
  environments,
  InfraConfigError,
  OLDEST_SUPPORTED_KUBERNETES_MINOR,
  OVERLAY_NETWORK,
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
