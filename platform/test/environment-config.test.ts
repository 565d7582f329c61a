import { environments, OLDEST_SUPPORTED_KUBERNETES_MINOR, OVERLAY_NETWORK, validateEnvironment, type EnvironmentConfig } from '../environment-config';

const ADMINS = '5b3c1e2a-0d4f-4e8a-9c7b-1a2b3c4d5e6f';
const [, prod] = environments({
  ADMIN_CIDRS: '148.252.158.53/32',
  ADMIN_GROUP_OBJECT_ID: ADMINS,
  SQL_ADMIN_GROUP_OBJECT_ID: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
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
