import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { AppContract } from '../../app/src/app-contract';
import { AppInsights } from '../../monitoring/app-insights';
import { AuditLogs } from '../../monitoring/audit-trail';
import { ClusterMonitoring } from '../../monitoring/cluster-monitoring';
import { CostBudget } from '../../monitoring/cost-budget';
import { DataTierAlerts } from '../../monitoring/data-tier-alerts';
import { LogAnalytics } from '../../monitoring/log-analytics';
import { VnetFlowLogs } from '../../monitoring/vnet-flow-logs';
import { AksCluster } from '../constructs/aks-cluster';
import { ClusterAccess } from '../constructs/cluster-access';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { AppData, secretExpiry } from '../constructs/app-data';
import type { ContainerRegistry } from '../constructs/container-registry';
import type { Networking } from '../constructs/networking';
import { BaseStack, type BaseStackProps } from './base-stack';

export interface PlatformStackProps extends BaseStackProps {
  /** The environment's networking (another stack: cdktf wires the references through state). */
  readonly networking: Networking;
  /** The shared registry the cluster pulls images from (another stack). */
  readonly registry: ContainerRegistry;
  /** Clock for secret expiry dates. @default new Date() */
  readonly now?: Date;
}

/**
 * Everything that runs on the network: the Log Analytics workspace with the app's
 * Application Insights on it, AKS, the app's identity, Key Vault and Azure SQL, and the
 * cluster's monitoring (Container Insights rule,
 * alerts, saved queries, workbook). Outputs as the seed's cluster module, plus what the
 * manifests need (Key Vault URL, app identity client id).
 */
export class PlatformStack extends BaseStack {
  public readonly logAnalytics: LogAnalytics;
  public readonly appInsights: AppInsights;
  public readonly aks: AksCluster;
  public readonly access: ClusterAccess;
  public readonly data: AppData;
  public readonly monitoring: ClusterMonitoring;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props, props.config.tags);
    const { config, networking } = props;
    const client = new DataAzurermClientConfig(this, 'client');
    // Generated secrets: the session signing key, and the SQL password in password mode.
    new RandomProvider(this, 'random');
    // Waits for role assignments to propagate before data-plane writes.
    new TimeProvider(this, 'time');
    const common = { location: config.location, resourceGroup: networking.resourceGroup };

    this.logAnalytics = new LogAnalytics(this, 'log-analytics', {
      ...common,
      name: `${config.cluster.name}-logs`,
      retentionDays: config.monitoring.retentionDays,
      dailyQuotaGb: config.monitoring.dailyQuotaGb,
    });
    const workspaceId = this.logAnalytics.workspace.id;
    // The app's traces, in the same workspace; the vault below holds its connection string.
    this.appInsights = new AppInsights(this, 'app-insights', {
      ...common,
      name: `${config.cluster.name}-appinsights`,
      workspace: this.logAnalytics.workspace,
    });

    this.aks = new AksCluster(this, 'aks', {
      ...common,
      config: config.cluster,
      vnet: networking.vnet,
      nodeSubnet: networking.workerNodeSubnet,
      // The deploy agents leave through their NAT gateway; AKS adds its own outbound addresses.
      authorizedIpRanges: [...config.networking.adminCidrs, `${networking.deployAgentEgressIp.ipAddress}/32`],
      adminGroupObjectId: config.access.adminGroup.objectId,
      logAnalyticsWorkspace: this.logAnalytics.workspace,
    });
    this.access = new ClusterAccess(this, 'cluster-access', {
      cluster: this.aks.cluster,
      resourceGroup: networking.resourceGroup,
      namespace: AppContract.kubernetes.namespace,
      environment: config.name,
      uniqueSuffix: config.data.keyVaultName,
      adminGroupObjectId: config.access.adminGroup.objectId,
      deployerObjectId: config.access.deployerObjectId,
    });

    // The kubelet identity pulls images; no image pull secret exists anywhere.
    new RoleAssignment(this, 'kubelet-acr-pull', {
      scope: props.registry.registry.id,
      roleDefinitionName: 'AcrPull',
      principalId: this.aks.cluster.kubeletIdentity.objectId,
      skipServicePrincipalAadCheck: true,
    });

    this.data = new AppData(this, 'app-data', {
      ...common,
      config: config.data,
      environment: config.name,
      tenantId: client.tenantId,
      access: config.access,
      cluster: this.aks.cluster,
      vnet: networking.vnet,
      privateEndpointSubnet: networking.privateEndpointSubnet,
      logAnalyticsWorkspace: this.logAnalytics.workspace,
      secretExpiry: secretExpiry(props.now ?? new Date(), config.data.secretExpiryDays),
      appInsightsConnectionString: this.appInsights.component.connectionString,
    });

    this.monitoring = new ClusterMonitoring(this, 'monitoring', {
      ...common,
      clusterName: config.cluster.name,
      cluster: this.aks.cluster,
      workspace: this.logAnalytics.workspace,
      alertEmails: config.monitoring.alertEmails,
      thresholds: config.monitoring.alerts,
    });

    new DataTierAlerts(this, 'data-tier-alerts', {
      namePrefix: config.cluster.name,
      keyVault: this.data.keyVault,
      sqlDatabase: this.data.database,
      actionGroup: this.monitoring.alerts.actionGroup,
      resourceGroup: networking.resourceGroup,
    });

    // The audit trail: who did what to the cluster and the vault, and every flow in the VNet.
    // (SQL's audit setting is made beside the server in AppData; the registry's in its stack.)
    const workspace = this.logAnalytics.workspace;
    new AuditLogs(this, 'aks-audit-logs', {
      resourceType: 'azurerm_kubernetes_cluster',
      targetResourceId: this.aks.cluster.id,
      workspace,
      destinationType: 'Dedicated',
    });
    new AuditLogs(this, 'key-vault-audit-logs', { resourceType: 'azurerm_key_vault', targetResourceId: this.data.keyVault.id, workspace });
    new VnetFlowLogs(this, 'vnet-flow-logs', {
      ...common,
      vnet: networking.vnet,
      vnetName: config.networking.vnetName,
      workspace,
      // Globally unique like the vault's name, which it is derived from: letters and digits only.
      storageAccountName: `${config.data.keyVaultName
        .replace(/-kv$/, '')
        .replace(/[^a-z0-9]/gi, '')
        .toLowerCase()
        .slice(0, 20)}flow`,
    });

    // The application routing add-on reads the ingress TLS certificate from the vault.
    new RoleAssignment(this, 'app-routing-key-vault-secrets-user', {
      scope: this.data.keyVault.id,
      roleDefinitionName: 'Key Vault Secrets User',
      principalId: this.aks.cluster.webAppRouting.webAppRoutingIdentity.get(0).objectId,
      principalType: 'ServicePrincipal',
    });

    new CostBudget(this, 'cost-budget', {
      name: `order-platform-${config.name}-monthly`,
      resourceGroupId: networking.resourceGroup.id,
      monthlyAmount: config.monitoring.monthlyBudget,
      alertEmails: config.monitoring.alertEmails,
    });

    const cluster = this.aks.cluster;
    new TerraformOutput(this, 'kube_config', {
      value: cluster.kubeConfigRaw,
      sensitive: true,
      description: 'Kube config for connecting to the AKS cluster (Entra sign-in; use kubelogin)',
    });
    new TerraformOutput(this, 'aks_cluster_name', { value: cluster.name, description: 'The name of the AKS cluster created' });
    new TerraformOutput(this, 'aks_cluster_id', { value: cluster.id, description: 'The ID of the AKS cluster created' });
    new TerraformOutput(this, 'key_vault_url', { value: this.data.keyVault.vaultUri, description: 'KEY_VAULT_URL for the app' });
    new TerraformOutput(this, 'app_identity_client_id', {
      value: this.data.appIdentity.clientId,
      description: 'Client id for the app ServiceAccount annotation (workload identity)',
    });
    new TerraformOutput(this, 'app_identity_name', {
      value: this.data.appIdentity.name,
      description: "The app identity's name: its database user (grant:sql)",
    });
    new TerraformOutput(this, 'app_identity_principal_id', {
      value: this.data.appIdentity.principalId,
      description: "The app identity's object id (grant:sql)",
    });
    new TerraformOutput(this, 'log_analytics_workspace_id', { value: workspaceId, description: 'Workspace for monitoring' });
    new TerraformOutput(this, 'app_insights_id', {
      value: this.appInsights.component.id,
      description: "Application Insights, where the app's traces are (npm run monitor)",
    });
    new TerraformOutput(this, 'workbook_id', {
      value: this.monitoring.workbook.workbook.id,
      description: "The cluster workbook's resource id (npm run monitor)",
    });
  }
}
