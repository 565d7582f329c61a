import { Construct } from 'constructs';
import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';

export interface ClusterAccessProps {
  /** The cluster (Azure RBAC for Kubernetes authorization). */
  readonly cluster: KubernetesCluster;
  /** The cluster's resource group: where the custom role is defined and assignable. */
  readonly resourceGroup: Pick<ResourceGroup, 'id'>;
  /** The app's namespace: the only one the deployer writes into. */
  readonly namespace: string;
  /** Environment name, for the custom role's description. */
  readonly environment: string;
  /**
   * Something globally unique to this deployment (the Key Vault's name): custom role names
   * must be unique in the tenant, and two copies of this platform may share one.
   */
  readonly uniqueSuffix: string;
  /** The administrators' Entra group. */
  readonly adminGroupObjectId: string;
  /** The pipeline's service principal. */
  readonly deployerObjectId: string;
}

/** Built-in roles for Kubernetes authorization through Azure RBAC. */
export const AKS_ROLES = {
  clusterAdmin: 'Azure Kubernetes Service RBAC Cluster Admin',
  clusterUser: 'Azure Kubernetes Service Cluster User Role',
  writer: 'Azure Kubernetes Service RBAC Writer',
} as const;

/** The data actions of the custom role that lets the deployer create and label its namespace. */
export const NAMESPACE_WRITER_DATA_ACTIONS = [
  'Microsoft.ContainerService/managedClusters/namespaces/read',
  'Microsoft.ContainerService/managedClusters/namespaces/write',
] as const;

/**
 * The data actions that let the deployer apply custom resources (the app's PodMonitor) in its
 * namespace. Azure RBAC has no data action per custom resource: Microsoft documents wildcards
 * as the only way to cover CRDs. Kubernetes RBAC objects are carved out, so the deployer
 * cannot grant itself more than RBAC Writer gives it.
 */
export const CUSTOM_RESOURCE_WRITER_DATA_ACTIONS = [
  'Microsoft.ContainerService/managedClusters/*/read',
  'Microsoft.ContainerService/managedClusters/*/write',
  'Microsoft.ContainerService/managedClusters/*/delete',
] as const;
export const CUSTOM_RESOURCE_WRITER_NOT_DATA_ACTIONS = ['Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/*'] as const;

/**
 * Who may do what inside the cluster, with local accounts off and Azure RBAC on:
 * - the administrators: cluster-admin and the user kubeconfig;
 * - the deployer: write the app's objects in its namespace (RBAC Writer scoped to the
 *   namespace) and create that namespace (a custom role: the built-in roles never write
 *   namespaces below cluster-admin), and custom resources such as the PodMonitor in its
 *   namespace (a second custom role: RBAC Writer covers built-in kinds only). Nothing
 *   cluster-wide beyond that.
 */
export class ClusterAccess extends Construct {
  public readonly namespaceWriterRole: RoleDefinition;
  public readonly customResourceWriterRole: RoleDefinition;

  constructor(scope: Construct, id: string, props: ClusterAccessProps) {
    super(scope, id);
    const cluster = props.cluster.id;
    new RoleAssignment(this, 'admins-cluster-admin', {
      scope: cluster,
      roleDefinitionName: AKS_ROLES.clusterAdmin,
      principalId: props.adminGroupObjectId,
      principalType: 'Group',
    });
    new RoleAssignment(this, 'admins-cluster-user', {
      scope: cluster,
      roleDefinitionName: AKS_ROLES.clusterUser,
      principalId: props.adminGroupObjectId,
      principalType: 'Group',
    });

    new RoleAssignment(this, 'deployer-namespace-writer', {
      scope: `${cluster}/namespaces/${props.namespace}`,
      roleDefinitionName: AKS_ROLES.writer,
      principalId: props.deployerObjectId,
      principalType: 'ServicePrincipal',
    });
    this.namespaceWriterRole = new RoleDefinition(this, 'namespace-writer-role', {
      name: `order-platform-namespace-writer-${props.uniqueSuffix}`,
      description: `Create and label namespaces in the ${props.environment} cluster (the app's deploy creates its own namespace).`,
      scope: props.resourceGroup.id,
      assignableScopes: [cluster],
      permissions: [{ actions: [], dataActions: [...NAMESPACE_WRITER_DATA_ACTIONS] }],
    });
    new RoleAssignment(this, 'deployer-namespace-creator', {
      scope: cluster,
      roleDefinitionId: this.namespaceWriterRole.roleDefinitionResourceId,
      principalId: props.deployerObjectId,
      principalType: 'ServicePrincipal',
    });
    const namespaceScope = `${cluster}/namespaces/${props.namespace}`;
    this.customResourceWriterRole = new RoleDefinition(this, 'custom-resource-writer-role', {
      name: `order-platform-custom-resource-writer-${props.uniqueSuffix}`,
      description: `Apply custom resources (the PodMonitor) in namespace ${props.namespace} of the ${props.environment} cluster; no RBAC objects.`,
      scope: props.resourceGroup.id,
      assignableScopes: [namespaceScope],
      permissions: [
        { actions: [], dataActions: [...CUSTOM_RESOURCE_WRITER_DATA_ACTIONS], notDataActions: [...CUSTOM_RESOURCE_WRITER_NOT_DATA_ACTIONS] },
      ],
    });
    new RoleAssignment(this, 'deployer-custom-resource-writer', {
      scope: namespaceScope,
      roleDefinitionId: this.customResourceWriterRole.roleDefinitionResourceId,
      principalId: props.deployerObjectId,
      principalType: 'ServicePrincipal',
    });
  }
}
