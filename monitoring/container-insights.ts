import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import type { MonitoredCluster, MonitoringWorkspace } from './cluster-monitoring';

/** The stream group that carries every Container Insights table (Perf, KubePodInventory, KubeEvents, ContainerLogV2, InsightsMetrics, ...). */
export const CONTAINER_INSIGHTS_STREAMS = ['Microsoft-ContainerInsights-Group-Default'] as const;

export interface ContainerInsightsProps {
  /** Literal cluster name, part of the rule's name. */
  readonly clusterName: string;
  /** The AKS cluster the rule is associated with. */
  readonly cluster: MonitoredCluster;
  /** The Log Analytics workspace the data goes to. */
  readonly workspace: MonitoringWorkspace;
  /** Azure region of the data collection rule (and part of its name). */
  readonly location: string;
  /** Resource group of the data collection rule. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** How often the agent collects inventory and performance data. @default "1m" */
  readonly interval?: string;
}

/**
 * Container Insights through a data collection rule and its association with the cluster.
 * The AKS monitoring add-on (with managed-identity auth) only deploys the agent; without a
 * DCR associated with the cluster it collects nothing, so the rule is part of the code.
 */
export class ContainerInsights extends Construct {
  public readonly rule: MonitorDataCollectionRule;
  public readonly association: MonitorDataCollectionRuleAssociation;

  constructor(scope: Construct, id: string, props: ContainerInsightsProps) {
    super(scope, id);
    const interval = props.interval ?? '1m';
    if (!/^([1-9]|[1-2][0-9]|30)m$/.test(interval)) throw new Error(`interval must be 1m to 30m; got ${JSON.stringify(interval)}`);
    const destination = 'ciworkspace';
    this.rule = new MonitorDataCollectionRule(this, 'rule', {
      // The name the portal gives the rule it creates, so operators find it where they expect.
      name: `MSCI-${props.location}-${props.clusterName}`,
      resourceGroupName: props.resourceGroup.name,
      location: props.location,
      kind: 'Linux',
      description: `Container Insights for ${props.clusterName}: inventory, performance, events and container logs (ContainerLogV2).`,
      destinations: { logAnalytics: [{ name: destination, workspaceResourceId: props.workspace.id }] },
      dataFlow: [{ streams: [...CONTAINER_INSIGHTS_STREAMS], destinations: [destination] }],
      dataSources: {
        extension: [
          {
            name: 'ContainerInsightsExtension',
            extensionName: 'ContainerInsights',
            streams: [...CONTAINER_INSIGHTS_STREAMS],
            extensionJson: JSON.stringify({ dataCollectionSettings: { interval, namespaceFilteringMode: 'Off', enableContainerLogV2: true } }),
          },
        ],
      },
    });
    this.association = new MonitorDataCollectionRuleAssociation(this, 'association', {
      name: 'ContainerInsightsExtension',
      targetResourceId: props.cluster.id,
      dataCollectionRuleId: this.rule.id,
      description: 'Associates the Container Insights rule with the cluster.',
    });
  }
}
