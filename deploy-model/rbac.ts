/**
 * The Azure built-in roles this deployment assigns, with the permissions Microsoft documents
 * for them (learn.microsoft.com, "Azure built-in roles"), reduced to what the checks ask.
 * A custom role's permissions are read from its `azurerm_role_definition` instead.
 */
export interface RolePermissions {
  readonly actions: readonly string[];
  readonly notActions?: readonly string[];
  readonly dataActions: readonly string[];
  readonly notDataActions?: readonly string[];
}

const AKS = 'Microsoft.ContainerService/managedClusters';

export const BUILT_IN_ROLES: Readonly<Record<string, RolePermissions>> = {
  Owner: { actions: ['*'], dataActions: [] },
  Contributor: {
    actions: ['*'],
    notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'],
    dataActions: [],
  },
  'Network Contributor': {
    actions: [
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Network/*',
      'Microsoft.ResourceHealth/availabilityStatuses/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
    ],
    dataActions: [],
  },
  AcrPull: { actions: ['Microsoft.ContainerRegistry/registries/pull/read'], dataActions: [] },
  'Key Vault Secrets User': {
    actions: [],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'],
  },
  'Key Vault Secrets Officer': {
    actions: [
      'Microsoft.Authorization/*/read',
      'Microsoft.KeyVault/checkNameAvailability/read',
      'Microsoft.KeyVault/deletedVaults/read',
      'Microsoft.KeyVault/locations/*/read',
      'Microsoft.KeyVault/vaults/*/read',
      'Microsoft.KeyVault/operations/read',
    ],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
  },
  'Key Vault Certificates Officer': {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/vaults/*/read'],
    dataActions: [
      'Microsoft.KeyVault/vaults/certificatecas/*',
      'Microsoft.KeyVault/vaults/certificates/*',
      'Microsoft.KeyVault/vaults/certificatecontacts/write',
    ],
  },
  'Azure Kubernetes Service Cluster User Role': { actions: [`${AKS}/listClusterUserCredential/action`, `${AKS}/read`], dataActions: [] },
  'Azure Kubernetes Service RBAC Cluster Admin': {
    actions: ['Microsoft.Authorization/*/read', `${AKS}/listClusterUserCredential/action`],
    dataActions: [`${AKS}/*`],
  },
  'Azure Kubernetes Service RBAC Writer': {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/operationresults/read'],
    dataActions: [
      `${AKS}/apps/controllerrevisions/read`,
      `${AKS}/apps/daemonsets/*`,
      `${AKS}/apps/deployments/*`,
      `${AKS}/apps/replicasets/*`,
      `${AKS}/apps/statefulsets/*`,
      `${AKS}/autoscaling/horizontalpodautoscalers/*`,
      `${AKS}/batch/cronjobs/*`,
      `${AKS}/coordination.k8s.io/leases/*`,
      `${AKS}/batch/jobs/*`,
      `${AKS}/configmaps/*`,
      `${AKS}/discovery.k8s.io/endpointslices/*`,
      `${AKS}/endpoints/*`,
      `${AKS}/events.k8s.io/events/read`,
      `${AKS}/events/*`,
      `${AKS}/extensions/daemonsets/*`,
      `${AKS}/extensions/deployments/*`,
      `${AKS}/extensions/ingresses/*`,
      `${AKS}/extensions/networkpolicies/*`,
      `${AKS}/extensions/replicasets/*`,
      `${AKS}/limitranges/read`,
      `${AKS}/namespaces/read`,
      `${AKS}/networking.k8s.io/ingresses/*`,
      `${AKS}/networking.k8s.io/networkpolicies/*`,
      `${AKS}/persistentvolumeclaims/*`,
      `${AKS}/pods/*`,
      `${AKS}/policy/poddisruptionbudgets/*`,
      `${AKS}/replicationcontrollers/*`,
      `${AKS}/resourcequotas/read`,
      `${AKS}/secrets/*`,
      `${AKS}/serviceaccounts/*`,
      `${AKS}/services/*`,
    ],
  },
};

const pattern = (p: string): RegExp =>
  new RegExp(
    `^${p
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );

/** Whether a role's permissions include an action (`data` for data-plane actions), NotActions subtracted. */
export function permits(role: RolePermissions, action: string, data: boolean): boolean {
  const allow = data ? role.dataActions : role.actions;
  const deny = (data ? role.notDataActions : role.notActions) ?? [];
  return allow.some((a) => pattern(a).test(action)) && !deny.some((a) => pattern(a).test(action));
}

/** The data action Azure RBAC checks for a Kubernetes verb on a kind (`apps/deployments/write`). */
export function kubernetesDataAction(apiVersion: string, kind: string, verb: 'read' | 'write' | 'delete'): string {
  const group = apiVersion.includes('/') ? `${apiVersion.split('/')[0]}/` : '';
  const plural = kind.toLowerCase().endsWith('policy')
    ? `${kind.toLowerCase().slice(0, -1)}ies`
    : kind.toLowerCase().endsWith('ss')
      ? `${kind.toLowerCase()}es`
      : `${kind.toLowerCase()}s`;
  return `${AKS}/${group}${plural}/${verb}`;
}
