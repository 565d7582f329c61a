import { BUILT_IN_ROLES, kubernetesDataAction, permits } from '../rbac';

test('NotActions take away what the wildcard gives: Contributor may not assign roles, Owner may', () => {
  expect(permits(BUILT_IN_ROLES.Contributor!, 'Microsoft.Network/virtualNetworks/write', false)).toBe(true);
  expect(permits(BUILT_IN_ROLES.Contributor!, 'Microsoft.Authorization/roleAssignments/write', false)).toBe(false);
  expect(permits(BUILT_IN_ROLES.Owner!, 'Microsoft.Authorization/roleAssignments/write', false)).toBe(true);
});

test('actions and data actions are separate: a control-plane role grants no data action of the same name', () => {
  expect(permits(BUILT_IN_ROLES.Owner!, 'Microsoft.KeyVault/vaults/secrets/setSecret/action', true)).toBe(false);
  expect(permits(BUILT_IN_ROLES['Key Vault Secrets User']!, 'Microsoft.KeyVault/vaults/secrets/getSecret/action', true)).toBe(true);
  expect(permits(BUILT_IN_ROLES['Key Vault Secrets User']!, 'Microsoft.KeyVault/vaults/secrets/setSecret/action', true)).toBe(false);
});

test('RBAC Writer writes workloads but neither namespaces nor role bindings', () => {
  const writer = BUILT_IN_ROLES['Azure Kubernetes Service RBAC Writer']!;
  expect(permits(writer, kubernetesDataAction('apps/v1', 'Deployment', 'write'), true)).toBe(true);
  expect(permits(writer, kubernetesDataAction('networking.k8s.io/v1', 'NetworkPolicy', 'write'), true)).toBe(true);
  expect(permits(writer, kubernetesDataAction('v1', 'Namespace', 'write'), true)).toBe(false);
  expect(permits(writer, kubernetesDataAction('rbac.authorization.k8s.io/v1', 'RoleBinding', 'write'), true)).toBe(false);
});

test('Kubernetes kinds map to the data actions Azure RBAC checks, group and plural included', () => {
  expect(kubernetesDataAction('v1', 'Namespace', 'write')).toBe('Microsoft.ContainerService/managedClusters/namespaces/write');
  expect(kubernetesDataAction('networking.k8s.io/v1', 'NetworkPolicy', 'write')).toBe(
    'Microsoft.ContainerService/managedClusters/networking.k8s.io/networkpolicies/write',
  );
  expect(kubernetesDataAction('networking.k8s.io/v1', 'Ingress', 'write')).toBe(
    'Microsoft.ContainerService/managedClusters/networking.k8s.io/ingresses/write',
  );
  expect(kubernetesDataAction('autoscaling/v2', 'HorizontalPodAutoscaler', 'write')).toBe(
    'Microsoft.ContainerService/managedClusters/autoscaling/horizontalpodautoscalers/write',
  );
});

test('data actions never grant control-plane actions: a data-plane role cannot manage the resource it reads', () => {
  expect(permits(BUILT_IN_ROLES['Key Vault Secrets User']!, 'Microsoft.KeyVault/vaults/secrets/getSecret/action', false)).toBe(false);
  expect(
    permits(
      BUILT_IN_ROLES['Azure Kubernetes Service RBAC Cluster Admin']!,
      'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
      false,
    ),
  ).toBe(false);
});

test('NotDataActions subtract from data actions, and NotActions never do', () => {
  const role = {
    actions: ['*'],
    notActions: ['Microsoft.KeyVault/*'],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
    notDataActions: ['Microsoft.KeyVault/vaults/secrets/setSecret/action'],
  };
  expect(permits(role, 'Microsoft.KeyVault/vaults/secrets/getSecret/action', true)).toBe(true);
  expect(permits(role, 'Microsoft.KeyVault/vaults/secrets/setSecret/action', true)).toBe(false);
  expect(permits(role, 'Microsoft.KeyVault/vaults/write', false)).toBe(false);
});
