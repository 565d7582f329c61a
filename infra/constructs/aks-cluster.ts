import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import type { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { OVERLAY_NETWORK, type ClusterConfig } from '../../platform/environment-config';

export interface AksClusterProps {
  /** Name, version, zones and node pools. */
  readonly config: ClusterConfig;
  /** Azure region. */
  readonly location: string;
  /** Resource group of the cluster (the node resource group is AKS's own). */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** The VNet, for the control-plane identity's Network Contributor role. */
  readonly vnet: VirtualNetwork;
  /** Subnet of both node pools (the seed's worker-node-subnet). */
  readonly nodeSubnet: Subnet;
  /** Who may reach the API server: the admin CIDRs and the deploy agents' egress address. */
  readonly authorizedIpRanges: readonly string[];
  /** The Entra group that administers the cluster (its members get cluster-admin). */
  readonly adminGroupObjectId: string;
  /** Workspace for Container Insights (managed-identity auth) and Defender. */
  readonly logAnalyticsWorkspace: LogAnalyticsWorkspace;
}

/**
 * Name of the temporary system pool AKS creates when a change to the default pool (VM size,
 * zones, max pods, OS disk) needs the pool rebuilt; without it such a change fails.
 */
export const SYSTEM_POOL_ROTATION_NAME = 'systemtmp';

/**
 * AKS to the baseline: managed identities only, a system pool kept for critical add-ons and
 * an autoscaling user pool across zones, Azure CNI overlay with network policy, OIDC issuer
 * and workload identity, the Key Vault secrets provider with rotation, Container Insights
 * with managed-identity auth, Entra ID with Azure RBAC and no local accounts, the API server
 * limited to the admin CIDRs, automatic upgrades in maintenance windows, Standard tier.
 */
export class AksCluster extends Construct {
  public readonly cluster: KubernetesCluster;
  public readonly userPool: KubernetesClusterNodePool;
  public readonly controlPlaneIdentity: UserAssignedIdentity;

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    const { config, location } = props;
    const resourceGroupName = props.resourceGroup.name;

    // A user-assigned control-plane identity can be granted rights on the VNet before the
    // cluster exists (a system-assigned one only after, which races the first node pool).
    this.controlPlaneIdentity = new UserAssignedIdentity(this, 'control-plane-identity', {
      name: `${config.name}-control-plane`,
      location,
      resourceGroupName,
    });
    const networkRole = new RoleAssignment(this, 'control-plane-network-contributor', {
      scope: props.vnet.id,
      roleDefinitionName: 'Network Contributor',
      principalId: this.controlPlaneIdentity.principalId,
      principalType: 'ServicePrincipal',
    });

    const maintenance = { frequency: 'Weekly', interval: 1, dayOfWeek: 'Sunday', startTime: '02:00', utcOffset: '+00:00', duration: 4 };
    this.cluster = new KubernetesCluster(this, 'cluster', {
      name: config.name,
      location,
      resourceGroupName,
      dnsPrefix: config.dnsPrefix,
      kubernetesVersion: config.kubernetesVersion,
      skuTier: 'Standard',
      automaticUpgradeChannel: 'patch',
      nodeOsUpgradeChannel: 'NodeImage',
      maintenanceWindowAutoUpgrade: maintenance,
      maintenanceWindowNodeOs: maintenance,
      localAccountDisabled: true,
      roleBasedAccessControlEnabled: true,
      azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true, adminGroupObjectIds: [props.adminGroupObjectId] },
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      azurePolicyEnabled: true,
      imageCleanerEnabled: true,
      imageCleanerIntervalHours: 48,
      apiServerAccessProfile: { authorizedIpRanges: [...props.authorizedIpRanges] },
      identity: { type: 'UserAssigned', identityIds: [this.controlPlaneIdentity.id] },
      defaultNodePool: {
        name: 'system',
        temporaryNameForRotation: SYSTEM_POOL_ROTATION_NAME,
        vmSize: config.systemPool.vmSize,
        vnetSubnetId: props.nodeSubnet.id,
        zones: [...config.zones],
        autoScalingEnabled: true,
        minCount: config.systemPool.minCount,
        maxCount: config.systemPool.maxCount,
        maxPods: config.systemPool.maxPods,
        onlyCriticalAddonsEnabled: true,
        osDiskType: 'Ephemeral',
        osSku: 'AzureLinux',
        // Needs the subscription feature Microsoft.Compute/EncryptionAtHost (npm run preflight checks it).
        hostEncryptionEnabled: true,
        upgradeSettings: { maxSurge: '33%' },
      },
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: 'overlay',
        networkPolicy: 'cilium',
        networkDataPlane: 'cilium',
        loadBalancerSku: 'standard',
        outboundType: 'loadBalancer',
        ...OVERLAY_NETWORK,
      },
      keyVaultSecretsProvider: { secretRotationEnabled: true, secretRotationInterval: '2m' },
      // Application routing (managed NGINX): the HTTPS ingress for public exposure, TLS
      // certificates read from Key Vault. No DNS zone is managed by the add-on.
      webAppRouting: { dnsZoneIds: [], defaultNginxController: 'External' },
      omsAgent: { logAnalyticsWorkspaceId: props.logAnalyticsWorkspace.id, msiAuthForMonitoringEnabled: true },
      microsoftDefender: { logAnalyticsWorkspaceId: props.logAnalyticsWorkspace.id },
      // Managed Prometheus: deploys the metrics add-on (ama-metrics); monitoring/ points it at the workspace.
      monitorMetrics: {},
      dependsOn: [networkRole],
    });

    this.userPool = new KubernetesClusterNodePool(this, 'user-pool', {
      name: 'user',
      kubernetesClusterId: this.cluster.id,
      mode: 'User',
      vmSize: config.userPool.vmSize,
      vnetSubnetId: props.nodeSubnet.id,
      zones: [...config.zones],
      autoScalingEnabled: true,
      minCount: config.userPool.minCount,
      maxCount: config.userPool.maxCount,
      maxPods: config.userPool.maxPods,
      osDiskType: 'Ephemeral',
      osSku: 'AzureLinux',
      hostEncryptionEnabled: true,
      upgradeSettings: { maxSurge: '33%' },
    });
  }
}
