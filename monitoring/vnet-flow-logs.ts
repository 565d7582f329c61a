import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { NetworkWatcherFlowLog } from '@cdktf/provider-azurerm/lib/network-watcher-flow-log';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';

/** The network watcher Azure creates in each region of a subscription the first time a VNet is made there. */
export const NETWORK_WATCHER_RESOURCE_GROUP = 'NetworkWatcherRG';
export const networkWatcherName = (location: string): string => `NetworkWatcher_${location}`;

/** Traffic analytics processes the flow logs every 10 minutes (the other choice is 60). */
export const TRAFFIC_ANALYTICS_INTERVAL_MINUTES = 10;

export interface VnetFlowLogsProps {
  /** The virtual network whose flows are logged (every subnet and NIC in it). */
  readonly vnet: { readonly id: string };
  /** Literal name of the VNet: the flow log is named after it. */
  readonly vnetName: string;
  /** The workspace traffic analytics writes to (NTANetAnalytics): its resource id, workspace (customer) id and region. */
  readonly workspace: { readonly id: string; readonly workspaceId: string; readonly location: string };
  /** Name of the storage account that keeps the raw flow logs: 3-24 lower-case letters and digits, globally unique. */
  readonly storageAccountName: string;
  /** Days the raw flow logs are kept in the storage account, 1-365. @default 30 */
  readonly retentionDays?: number;
  /** Azure region of the VNet (flow logs live in that region's network watcher). */
  readonly location: string;
  /** Resource group of the storage account. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
}

/**
 * VNet flow logs (NSG flow logs can no longer be created) with traffic analytics: every flow
 * in the VNet, allowed or denied, kept raw in a storage account and summarised in Log Analytics.
 */
export class VnetFlowLogs extends Construct {
  public readonly storageAccount: StorageAccount;
  public readonly flowLog: NetworkWatcherFlowLog;

  constructor(scope: Construct, id: string, props: VnetFlowLogsProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? 30;
    if (!/^[a-z0-9]{3,24}$/.test(props.storageAccountName))
      throw new Error(`storageAccountName must be 3-24 lower-case letters and digits; got ${JSON.stringify(props.storageAccountName)}`);
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 365)
      throw new Error(`retentionDays must be a whole number from 1 to 365; got ${retentionDays}`);
    this.storageAccount = new StorageAccount(this, 'storage', {
      name: props.storageAccountName,
      resourceGroupName: props.resourceGroup.name,
      location: props.location,
      accountTier: 'Standard',
      accountReplicationType: 'LRS',
      accountKind: 'StorageV2',
      minTlsVersion: 'TLS1_2',
      httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      // Network Watcher writes as a trusted Microsoft service; nothing else reaches the account.
      networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
    });
    this.flowLog = new NetworkWatcherFlowLog(this, 'flow-log', {
      name: `${props.vnetName}-flow-log`,
      networkWatcherName: networkWatcherName(props.location),
      resourceGroupName: NETWORK_WATCHER_RESOURCE_GROUP,
      location: props.location,
      targetResourceId: props.vnet.id,
      storageAccountId: this.storageAccount.id,
      enabled: true,
      version: 2,
      retentionPolicy: { enabled: true, days: retentionDays },
      trafficAnalytics: {
        enabled: true,
        workspaceId: props.workspace.workspaceId,
        workspaceRegion: props.workspace.location,
        workspaceResourceId: props.workspace.id,
        intervalInMinutes: TRAFFIC_ANALYTICS_INTERVAL_MINUTES,
      },
    });
  }
}
