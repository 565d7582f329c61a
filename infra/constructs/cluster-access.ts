import { Construct } from 'constructs';
import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';

export interface ClusterAccessProps {
  /** The cluster (Azure RBAC for Kubernetes authorization). */
  readonly cluster: KubernetesCluster;
  /** Where the custom role is defined: the cluster's resource group id. */
  readonly roleDefinitionScope: string;
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
 * Who may do what inside the cluster, with local accounts off and Azure RBAC on:
 * - the administrators: cluster-admin and the user kubeconfig;
 * - the deployer: write the app's objects in its namespace (RBAC Writer scoped to the
 *   namespace) and create that namespace (a custom role: the built-in roles never write
 *   namespaces below cluster-admin). Nothing cluster-wide beyond that.
 */
export class ClusterAccess extends Construct {
  public readonly namespaceWriterRole: RoleDefinition;

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
      scope: props.roleDefinitionScope,
      assignableScopes: [cluster],
      permissions: [{ actions: [], dataActions: [...NAMESPACE_WRITER_DATA_ACTIONS] }],
    });
    new RoleAssignment(this, 'deployer-namespace-creator', {
      scope: cluster,
      roleDefinitionId: this.namespaceWriterRole.roleDefinitionResourceId,
      principalId: props.deployerObjectId,
      principalType: 'ServicePrincipal',
    });
  }
}
