import { AppContract } from '../app/src/app-contract';
import { appIdentityName } from '../infra/constructs/app-data';
import type { K8sObject } from './cilium';
import type { DeployArtifacts, DeploymentFacts } from './deployment';
import { BUILT_IN_ROLES, kubernetesDataAction, permits, type RolePermissions } from './rbac';
import type { TfResource } from './terraform-model';

/** A permission an identity needs for the deploy or the running app, and whether it has it. */
export interface PermissionResult {
  readonly identity: string;
  readonly action: string;
  readonly scope: string;
  /** Why it is needed, or (expected `denied`) why it must not be held. */
  readonly neededFor: string;
  /** `granted` for what the deploy and the app need; `denied` for what nobody should hold. */
  readonly expected: 'granted' | 'denied';
  /** The role assignment that grants it, or why nothing does. */
  readonly grantedBy: string;
  readonly ok: boolean;
}

/** A data-plane write that must wait for what allows it. */
export interface OrderingResult {
  readonly what: string;
  readonly waitsFor: string;
  readonly detail: string;
  readonly ok: boolean;
}

interface Assignment {
  readonly principal: string;
  readonly scope: string;
  readonly roleName: string;
  readonly role?: RolePermissions;
  readonly source: string;
  /** The principal type the assignment declares (ARM rejects one that does not match the principal). */
  readonly principalType?: string;
  /** An ABAC condition: the model cannot evaluate it, so the assignment is not counted. */
  readonly condition?: string;
}

interface Need {
  readonly expected: 'granted' | 'denied';
  readonly identity: string;
  /** ServicePrincipal or Group: what a role assignment to this principal must declare, if anything. */
  readonly principalType: 'ServicePrincipal' | 'Group';
  /** Undefined when the identity does not exist in the stacks. */
  readonly principal: string | undefined;
  readonly action: string;
  readonly data: boolean;
  readonly scope: string;
  readonly scopeLabel: string;
  readonly neededFor: string;
}

/** The subscription scope (prerequisite role assignments live there). */
const SUBSCRIPTION = 'subscription';

/**
 * Role assignments made outside the stacks, as the one-time setup in docs/deploy.md asks: the
 * pipeline's principal owns the subscription (it creates resources and role assignments).
 * `npm run preflight` checks them on Azure.
 */
function prerequisiteAssignments(deployerObjectId: string): Assignment[] {
  return [
    {
      principal: deployerObjectId,
      scope: SUBSCRIPTION,
      roleName: 'Owner',
      role: BUILT_IN_ROLES.Owner!,
      source: 'one-time setup (checked by npm run preflight)',
      principalType: 'ServicePrincipal',
    },
  ];
}

function assignments(a: DeployArtifacts): Assignment[] {
  const tf = a.terraform;
  const out: Assignment[] = [];
  for (const r of tf.resources('azurerm_role_assignment')) {
    const v = r.values as Record<string, any>;
    let roleName = v.role_definition_name as string | undefined;
    let role = roleName ? BUILT_IN_ROLES[roleName] : undefined;
    if (!roleName && v.role_definition_id) {
      const definition = tf.resourceOf(tf.canon(r.stack, v.role_definition_id));
      if (definition) {
        roleName = `${definition.values.name as string} (custom)`;
        const p = ((definition.values.permissions as any[] | undefined) ?? [])[0] ?? {};
        role = {
          actions: p.actions ?? [],
          notActions: p.not_actions ?? [],
          dataActions: p.data_actions ?? [],
          notDataActions: p.not_data_actions ?? [],
        };
      }
    }
    out.push({
      principal: tf.canon(r.stack, v.principal_id),
      scope: tf.canon(r.stack, v.scope),
      roleName: roleName ?? 'unknown role',
      ...(role ? { role } : {}),
      source: r.address,
      ...(v.principal_type ? { principalType: String(v.principal_type) } : {}),
      ...(v.condition ? { condition: String(v.condition) } : {}),
    });
  }
  // AKS binds cluster-admin to its admin groups (admin_group_object_ids) inside Kubernetes.
  for (const cluster of tf.resources('azurerm_kubernetes_cluster')) {
    const groups = ((cluster.values.azure_active_directory_role_based_access_control as any)?.admin_group_object_ids ?? []) as string[];
    for (const g of groups) {
      out.push({
        principal: tf.canon(cluster.stack, g),
        scope: tf.ref(cluster, 'id'),
        roleName: 'cluster-admin (admin_group_object_ids)',
        role: { actions: [], dataActions: ['Microsoft.ContainerService/managedClusters/*'] },
        source: cluster.address,
        principalType: 'Group',
      });
    }
  }
  return [...out, ...prerequisiteAssignments(a.config.access.deployerObjectId)];
}

/** Scopes that contain `scope`, nearest first: namespace -> cluster, subnet -> VNet, resource -> resource group -> subscription. */
function ancestors(a: DeployArtifacts, scope: string): string[] {
  const tf = a.terraform;
  const out: string[] = [];
  let current: string | undefined = scope;
  while (current && current !== SUBSCRIPTION) {
    const ns: RegExpExecArray | null = /^(\{[^}]+\})\/namespaces\/[^/]+$/.exec(current);
    let parent: string | undefined;
    if (ns) parent = ns[1];
    else {
      const resource = tf.resourceOf(current);
      if (!resource) parent = SUBSCRIPTION;
      else if (resource.type === 'azurerm_resource_group') parent = SUBSCRIPTION;
      else if (resource.type === 'azurerm_subnet') parent = tf.withAttribute(tf.canon(resource.stack, resource.values.virtual_network_name), 'id');
      else if (typeof resource.values.resource_group_name === 'string')
        parent = tf.withAttribute(tf.canon(resource.stack, resource.values.resource_group_name), 'id');
      else parent = SUBSCRIPTION;
      // A literal resource group name: the group is not in the stacks, so go straight to the subscription.
      if (parent && !parent.startsWith('{')) parent = SUBSCRIPTION;
    }
    if (parent) out.push(parent);
    current = parent;
  }
  return out;
}

/** Where each object of the manifests is written: its namespace, or the cluster for cluster-scoped kinds. */
function manifestWrites(
  f: DeploymentFacts,
  manifests: readonly K8sObject[],
  cluster: string,
): { action: string; scope: string; label: string; what: string }[] {
  return manifests.map((o) => {
    const namespaced = o.kind !== 'Namespace';
    const ns = o.metadata.namespace ?? AppContract.kubernetes.namespace;
    return {
      action: kubernetesDataAction(o.apiVersion, o.kind, 'write'),
      scope: namespaced ? `${cluster}/namespaces/${ns}` : cluster,
      label: namespaced ? `cluster ${f.cluster.values.name}, namespace ${ns}` : `cluster ${f.cluster.values.name}`,
      what: `kubectl apply ${o.kind} ${namespaced ? `${ns}/` : ''}${o.metadata.name}`,
    };
  });
}

/**
 * Every identity x action x scope that the deploy and the running app need, checked against
 * the synthesized role assignments (and the one-time prerequisites) as Azure RBAC does: an
 * assignment at a scope or any scope above it, whose role's (data) actions include the
 * action and whose NotActions do not.
 */
export function checkPermissions(a: DeployArtifacts, f: DeploymentFacts): PermissionResult[] {
  const tf = a.terraform;
  const env = a.config.name;
  const cluster = tf.ref(f.cluster, 'id');
  const clusterLabel = `cluster ${f.cluster.values.name}`;
  const vault = tf.ref(f.keyVault, 'id');
  const vaultLabel = `Key Vault ${f.keyVault.values.name}`;
  const registry = tf.resources('azurerm_container_registry')[0];
  const registryScope = registry ? tf.ref(registry, 'id') : 'no registry';
  const registryLabel = `registry ${String(registry?.values.name ?? '(missing)')}`;
  const app = `app (${appIdentityName(env)})`;
  const appIdentity = tf.resources('azurerm_user_assigned_identity', [f.platformStack]).find((r) => r.values.name === appIdentityName(env));
  const appPrincipal = appIdentity && tf.ref(appIdentity, 'principal_id');
  const controlPlane = tf.resourceOf(tf.canon(f.platformStack, ((f.cluster.values.identity as any)?.identity_ids ?? [])[0]));
  const deployer = a.config.access.deployerObjectId;
  const admins = a.config.access.adminGroup.objectId;
  const kubelet = tf.ref(f.cluster, 'kubelet_identity[0].object_id');

  const needs: Need[] = [];
  const typeOf = (identity: string): 'ServicePrincipal' | 'Group' => (identity === 'administrators' ? 'Group' : 'ServicePrincipal');
  const need = (
    identity: string,
    principal: string | undefined,
    action: string,
    data: boolean,
    scope: string,
    scopeLabel: string,
    neededFor: string,
  ) => needs.push({ expected: 'granted', identity, principalType: typeOf(identity), principal, action, data, scope, scopeLabel, neededFor });
  const mustNot = (identity: string, principal: string | undefined, action: string, data: boolean, scope: string, scopeLabel: string, why: string) =>
    needs.push({ expected: 'denied', identity, principalType: typeOf(identity), principal, action, data, scope, scopeLabel, neededFor: why });

  need(
    'deployer',
    deployer,
    'Microsoft.Authorization/roleAssignments/write',
    false,
    SUBSCRIPTION,
    'subscription',
    'creates the role assignments of the stacks',
  );
  need(
    'deployer',
    deployer,
    'Microsoft.KeyVault/vaults/secrets/setSecret/action',
    true,
    vault,
    vaultLabel,
    'writes db-server, db-name and the session key (platform apply)',
  );
  need(
    'deployer',
    deployer,
    'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
    false,
    cluster,
    clusterLabel,
    'fetches the user kubeconfig (KubernetesManifest@1, az aks get-credentials)',
  );
  for (const w of manifestWrites(f, a.manifests, cluster)) need('deployer', deployer, w.action, true, w.scope, w.label, w.what);
  const ns = `${cluster}/namespaces/${AppContract.kubernetes.namespace}`;
  const nsLabel = `${clusterLabel}, namespace ${AppContract.kubernetes.namespace}`;
  need('deployer', deployer, 'Microsoft.ContainerService/managedClusters/apps/deployments/read', true, ns, nsLabel, 'waits for the rollout');
  need(
    'deployer',
    deployer,
    'Microsoft.ContainerService/managedClusters/pods/portforward/action',
    true,
    ns,
    nsLabel,
    'smoke test through kubectl port-forward',
  );

  need(
    'administrators',
    admins,
    'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/write',
    true,
    cluster,
    clusterLabel,
    'administer the cluster (cluster-admin)',
  );
  need(
    'administrators',
    admins,
    'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
    false,
    cluster,
    clusterLabel,
    'az aks get-credentials',
  );
  need(
    'administrators',
    admins,
    'Microsoft.KeyVault/vaults/certificates/import/action',
    true,
    vault,
    vaultLabel,
    'upload the ingress TLS certificate',
  );
  need('administrators', admins, 'Microsoft.KeyVault/vaults/secrets/setSecret/action', true, vault, vaultLabel, 'set the OIDC client secret');

  need('kubelet', kubelet, 'Microsoft.ContainerRegistry/registries/pull/read', false, registryScope, registryLabel, 'pulls the app image');
  need(
    app,
    appPrincipal,
    'Microsoft.KeyVault/vaults/secrets/getSecret/action',
    true,
    vault,
    vaultLabel,
    'reads its database settings and session key',
  );
  if (f.appIngress)
    need(
      'app routing add-on',
      tf.ref(f.cluster, 'web_app_routing[0].web_app_routing_identity[0].object_id'),
      'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      true,
      vault,
      vaultLabel,
      'reads the ingress TLS certificate',
    );
  need(
    'cluster control plane',
    controlPlane && tf.ref(controlPlane, 'principal_id'),
    'Microsoft.Network/virtualNetworks/subnets/join/action',
    false,
    tf.ref(f.nodeSubnet.resource, 'id'),
    `subnet ${f.nodeSubnet.name}`,
    'puts nodes and the internal load balancer in the subnet',
  );

  // What must never be held: the deployer outside its namespace or cluster-wide, the app
  // writing its own secrets, the kubelet pushing images.
  mustNot(
    'deployer',
    deployer,
    'Microsoft.ContainerService/managedClusters/apps/deployments/write',
    true,
    `${cluster}/namespaces/kube-system`,
    `${clusterLabel}, namespace kube-system`,
    'the deployer writes only in its namespace',
  );
  mustNot(
    'deployer',
    deployer,
    'Microsoft.ContainerService/managedClusters/secrets/read',
    true,
    `${cluster}/namespaces/kube-system`,
    `${clusterLabel}, namespace kube-system`,
    "system secrets stay out of the pipeline's reach",
  );
  mustNot(
    'deployer',
    deployer,
    'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/write',
    true,
    cluster,
    clusterLabel,
    'the deployer is not cluster-admin',
  );
  mustNot(
    'deployer',
    deployer,
    'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/rolebindings/write',
    true,
    `${cluster}/namespaces/${AppContract.kubernetes.namespace}`,
    `${clusterLabel}, namespace ${AppContract.kubernetes.namespace}`,
    'the custom-resource role must not let the deployer grant itself more in its namespace',
  );
  mustNot(app, appPrincipal, 'Microsoft.KeyVault/vaults/secrets/setSecret/action', true, vault, vaultLabel, 'the app only reads its secrets');
  mustNot('kubelet', kubelet, 'Microsoft.ContainerRegistry/registries/push/write', false, registryScope, registryLabel, 'nodes only pull images');

  const vaultRbac = f.keyVault.values.rbac_authorization_enabled === true;
  const aksRbac = (f.cluster.values.azure_active_directory_role_based_access_control as any)?.azure_rbac_enabled === true;
  const all = assignments(a);
  return needs.map((n) => {
    const scopes = [n.scope, ...ancestors(a, n.scope)];
    const inert = (g: Assignment): string | undefined => {
      if (g.principalType && g.principalType !== n.principalType)
        return `${g.source} declares principal_type ${g.principalType} for a ${n.principalType}: Azure rejects it (UnmatchedPrincipalType)`;
      if (g.condition) return `${g.source} carries an ABAC condition the model cannot evaluate`;
      if (n.action.startsWith('Microsoft.KeyVault/') && n.data && !vaultRbac)
        return `the vault uses access policies (rbac_authorization_enabled is not true): ${g.source} does not apply`;
      if (n.action.startsWith('Microsoft.ContainerService/') && n.data && !aksRbac && !g.roleName.includes('admin_group_object_ids'))
        return `Azure RBAC for Kubernetes is off (azure_rbac_enabled is not true): ${g.source} does not apply`;
      return undefined;
    };
    const candidates =
      n.principal === undefined
        ? []
        : all.filter((g) => g.principal === n.principal && scopes.includes(g.scope) && g.role !== undefined && permits(g.role, n.action, n.data));
    const grant = candidates.find((g) => inert(g) === undefined);
    const shortAction = n.action
      .replace(/^Microsoft\.ContainerService\/managedClusters\//, 'aks: ')
      .replace(/^Microsoft\.KeyVault\/vaults\//, 'keyvault: ');
    const why = grant
      ? `${grant.roleName} at ${grant.scope === n.scope ? 'this scope' : describeScope(grant.scope)} (${grant.source})`
      : n.principal === undefined
        ? 'nothing: the identity does not exist in the synthesized stacks'
        : candidates.length > 0
          ? `nothing: ${inert(candidates[0]!)}`
          : `nothing: no role assignment of ${n.identity} grants ${n.action} at ${n.scopeLabel} or above`;
    return {
      identity: n.identity,
      action: shortAction,
      scope: n.scopeLabel,
      neededFor: n.neededFor,
      expected: n.expected,
      grantedBy: why,
      ok: (grant !== undefined) === (n.expected === 'granted'),
    };
  });
}

/** Local accounts give anyone who may list cluster admin credentials a static kubeconfig around Entra ID. */
export function checkLocalAccounts(f: DeploymentFacts): PermissionResult {
  const off = f.cluster.values.local_account_disabled === true;
  return {
    identity: 'anyone with listClusterAdminCredential',
    action: 'aks: a static admin kubeconfig (local accounts)',
    scope: `cluster ${String(f.cluster.values.name)}`,
    neededFor: 'every Kubernetes access goes through Entra ID and Azure RBAC',
    expected: 'denied',
    grantedBy: off ? 'nothing: local_account_disabled' : 'local accounts are on: Owner and Contributor can fetch a cluster-admin kubeconfig',
    ok: off,
  };
}

function describeScope(scope: string): string {
  if (scope === SUBSCRIPTION) return 'the subscription';
  const m = /^\{[^:]+:([a-z_]+)\.([^.]+)\./.exec(scope);
  return m ? `${m[1]!.replace('azurerm_', '')} ${m[2]}` : scope;
}

/** Non-RBAC access: who administers Azure SQL (the app's database user is created by grant:sql as that group). */
export function checkSqlAdministrator(a: DeployArtifacts, f: DeploymentFacts): PermissionResult {
  const admin = (f.sqlServer.values.azuread_administrator ?? {}) as Record<string, unknown>;
  const group = a.config.access.sqlAdminGroup;
  const ok = admin.object_id === group.objectId && admin.login_username === group.displayName && admin.azuread_authentication_only === true;
  return {
    identity: 'SQL administrators',
    action: 'sql: Entra administrator (CREATE USER for the app identity)',
    scope: `SQL server ${f.sqlServer.values.name}`,
    neededFor: 'grant:sql, run by a member of the group (the deployer; membership checked by npm run preflight)',
    expected: 'granted',
    grantedBy: ok
      ? `azuread_administrator ${String(admin.login_username)} (Entra-only)`
      : `azuread_administrator is ${JSON.stringify(admin.object_id)} "${String(admin.login_username)}"` +
        `${admin.azuread_authentication_only === true ? '' : ' without Entra-only login'}, ` +
        `not the SQL administrators' group "${group.displayName}"`,
    ok,
  };
}

/** Seconds in a Go duration as time_sleep takes it ("120s", "1m30s", "2h"). */
export const seconds = (duration: unknown): number => {
  const text = String(duration);
  if (!/^(\d+(\.\d+)?(h|m|s|ms))+$/.test(text)) return 0;
  const unit = { h: 3600, m: 60, s: 1, ms: 0.001 } as const;
  return [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)].reduce((sum, m) => sum + Number(m[1]) * unit[m[2] as keyof typeof unit], 0);
};

/**
 * Data-plane writes wait for what allows them on the first apply: each Key Vault secret is
 * created after a time_sleep of at least a minute that follows the role assignment letting
 * the deployer write secrets (RBAC propagates in minutes) and the vault's private endpoint.
 */
export function checkOrdering(a: DeployArtifacts, f: DeploymentFacts): OrderingResult[] {
  const tf = a.terraform;
  const vault = tf.ref(f.keyVault, 'id');
  const deployer = a.config.access.deployerObjectId;
  const grantsWrite = (r: TfResource): boolean =>
    r.type === 'azurerm_role_assignment' &&
    tf.canon(r.stack, r.values.principal_id) === deployer &&
    tf.canon(r.stack, r.values.scope) === vault &&
    permits(
      BUILT_IN_ROLES[String(r.values.role_definition_name)] ?? { actions: [], dataActions: [] },
      'Microsoft.KeyVault/vaults/secrets/setSecret/action',
      true,
    );
  const isEndpoint = (r: TfResource): boolean => r.type === 'azurerm_private_endpoint' && r.address === f.keyVaultEndpoint?.resource.address;
  const isZoneLink = (r: TfResource): boolean => (f.keyVaultEndpoint?.zoneLinks ?? []).includes(r.address);
  return tf.resources('azurerm_key_vault_secret', [f.platformStack]).flatMap((secret) => {
    const name = String(secret.values.name);
    const before = tf.upstream(secret);
    const sleep = before.find((r) => r.type === 'time_sleep' && seconds(r.values.create_duration) >= 60);
    const beforeSleep = sleep ? tf.upstream(sleep) : [];
    const check = (waitsFor: string, target: (r: TfResource) => boolean, propagates: boolean): OrderingResult => {
      const direct = before.some(target);
      const afterSleep = beforeSleep.some(target);
      const ok = propagates ? afterSleep : direct;
      return {
        what: `write secret ${name}`,
        waitsFor,
        detail: afterSleep
          ? `after ${sleep!.address} (${String(sleep!.values.create_duration)})`
          : direct
            ? propagates
              ? 'depends on it, but without a wait of a minute or more: the first write can answer 403'
              : 'depends on it'
            : 'does not wait for it: the first apply can write before it exists',
        ok,
      };
    };
    return [
      check("the deployer's Key Vault Secrets Officer role (RBAC propagation)", grantsWrite, true),
      check("the vault's private endpoint", isEndpoint, false),
      check("the vault's private DNS zone linked to the VNet", isZoneLink, false),
    ];
  });
}
