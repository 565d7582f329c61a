import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { MonitorDataCollectionEndpoint } from '@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint';
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import { MonitorWorkspace } from '@cdktf/provider-azurerm/lib/monitor-workspace';
import type { MonitoredCluster } from './cluster-monitoring';

/** The stream the metrics add-on (ama-metrics) forwards scraped samples on. */
export const PROMETHEUS_STREAM = 'Microsoft-PrometheusMetrics';

/** Names Azure's own onboarding gives these resources (at most 44 characters), so operators find them where they expect. */
export const prometheusResourceName = (location: string, clusterName: string): string => `MSProm-${location}-${clusterName}`.slice(0, 44);

export interface ManagedPrometheusProps {
  /** Literal cluster name, part of the resource names. */
  readonly clusterName: string;
  /** The AKS cluster whose metrics add-on sends here (its `monitor_metrics` profile must be on). */
  readonly cluster: MonitoredCluster;
  /** Azure region of the workspace, endpoint and rule (the add-on needs them in one region). */
  readonly location: string;
  /** Resource group of the workspace, endpoint and rule. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
}

/**
 * Azure Managed Prometheus: an Azure Monitor workspace that stores the samples, and the data
 * collection endpoint, rule and associations that tell the cluster's metrics add-on where to
 * send them. The add-on scrapes the cluster's defaults and every `PodMonitor`
 * (`azmonitoring.coreos.com/v1`), such as the order app's in the cdk8s chart.
 */
export class ManagedPrometheus extends Construct {
  public readonly workspace: MonitorWorkspace;
  public readonly endpoint: MonitorDataCollectionEndpoint;
  public readonly rule: MonitorDataCollectionRule;

  constructor(scope: Construct, id: string, props: ManagedPrometheusProps) {
    super(scope, id);
    const common = { resourceGroupName: props.resourceGroup.name, location: props.location };
    const name = prometheusResourceName(props.location, props.clusterName);
    this.workspace = new MonitorWorkspace(this, 'workspace', { ...common, name: `${props.clusterName}-prometheus` });
    this.endpoint = new MonitorDataCollectionEndpoint(this, 'endpoint', { ...common, name, kind: 'Linux' });
    const destination = 'MonitoringAccount1';
    this.rule = new MonitorDataCollectionRule(this, 'rule', {
      ...common,
      name,
      kind: 'Linux',
      dataCollectionEndpointId: this.endpoint.id,
      description: `Managed Prometheus for ${props.clusterName}: the metrics add-on's samples to the Azure Monitor workspace.`,
      destinations: { monitorAccount: [{ name: destination, monitorAccountId: this.workspace.id }] },
      dataFlow: [{ streams: [PROMETHEUS_STREAM], destinations: [destination] }],
      dataSources: { prometheusForwarder: [{ name: 'PrometheusDataSource', streams: [PROMETHEUS_STREAM] }] },
    });
    new MonitorDataCollectionRuleAssociation(this, 'rule-association', {
      name,
      targetResourceId: props.cluster.id,
      dataCollectionRuleId: this.rule.id,
      description: 'Associates the Managed Prometheus rule with the cluster; without it the metrics add-on sends nothing.',
    });
    // The add-on reads its configuration through the endpoint; Azure names this association itself.
    new MonitorDataCollectionRuleAssociation(this, 'endpoint-association', {
      name: 'configurationAccessEndpoint',
      targetResourceId: props.cluster.id,
      dataCollectionEndpointId: this.endpoint.id,
    });
  }
}
