import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { createHash } from 'node:crypto';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ApplicationInsightsWorkbook } from '@cdktf/provider-azurerm/lib/application-insights-workbook';
import { AKS_METRIC_NAMESPACE } from './cluster-alerts';
import type { MonitoredCluster, MonitoringWorkspace } from './cluster-monitoring';
import { loadQuery } from './kql-queries';
import { errorBudgetQuery, ORDER_APP_SLOS, type ServiceLevelObjective } from './service-level-objectives';

/** Workbook resource names are GUIDs; this one is derived from the seed so every deploy names the same workbook. */
export function stableGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Azure Monitor workbook aggregation codes. */
const AVERAGE = 4;
const ONE_HOUR_MS = 3_600_000;

/** The seed's four Metrics Explorer charts, by platform metric or query. */
export const WORKBOOK_CHARTS = [
  { name: 'node-cpu', title: 'Average node CPU usage %', metric: 'node_cpu_usage_percentage' },
  { name: 'pod-count', title: 'Average pod count (by phase)', metric: 'kube_pod_status_phase' },
  { name: 'disk-used', title: 'Used disk %', metric: 'node_disk_usage_percentage' },
  { name: 'disk-io', title: 'Bytes read and written per second', queryId: 'cluster/disk-bytes-per-second' },
  { name: 'app-requests', title: 'Order app requests by status', queryId: 'app/requests-by-status' },
] as const;

export interface ClusterWorkbookProps {
  /** Literal cluster name: the workbook's GUID and display name are derived from it. */
  readonly clusterName: string;
  /** The AKS cluster the metric charts show. */
  readonly cluster: MonitoredCluster;
  /** The Log Analytics workspace the query charts read (also the workbook's source). */
  readonly workspace: MonitoringWorkspace;
  /** Azure region of the workbook. */
  readonly location: string;
  /** Resource group of the workbook. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** The objectives whose error budget the workbook shows. @default ORDER_APP_SLOS */
  readonly slos?: readonly ServiceLevelObjective[];
}

/**
 * A shared Azure Monitor workbook: the order app's service-level objectives and the error
 * budget each has left, then the seed's four charts (average node CPU, average pod count, used
 * disk %, bytes read and written per second) and the app's requests by status.
 */
export class ClusterWorkbook extends Construct {
  public readonly workbook: ApplicationInsightsWorkbook;

  constructor(scope: Construct, id: string, props: ClusterWorkbookProps) {
    super(scope, id);
    // The GUID must be the same on every synth, so it is derived from literals only.
    if (Token.isUnresolved(props.clusterName))
      throw new Error('clusterName must be a literal name, not a reference: the workbook GUID is derived from it');
    const items = WORKBOOK_CHARTS.map((chart) =>
      'metric' in chart
        ? {
            type: 10,
            name: chart.name,
            content: {
              chartId: `order-platform-${chart.name}`,
              version: 'MetricsItem/2.0',
              size: 0,
              chartType: 2,
              resourceType: AKS_METRIC_NAMESPACE.toLowerCase(),
              metricScope: 0,
              resourceIds: [props.cluster.id],
              timeContext: { durationMs: ONE_HOUR_MS },
              metrics: [
                {
                  namespace: AKS_METRIC_NAMESPACE.toLowerCase(),
                  metric: `${AKS_METRIC_NAMESPACE.toLowerCase()}--${chart.metric}`,
                  aggregation: AVERAGE,
                },
              ],
              title: chart.title,
            },
          }
        : {
            type: 3,
            name: chart.name,
            content: {
              version: 'KqlItem/1.0',
              query: loadQuery(chart.queryId).text,
              size: 0,
              title: chart.title,
              timeContext: { durationMs: ONE_HOUR_MS },
              queryType: 0,
              resourceType: 'microsoft.operationalinsights/workspaces',
              crossComponentResources: [props.workspace.id],
              visualization: 'timechart',
            },
          },
    );
    // One tile row per objective: how much of its error budget is left over its window.
    const sloItems = (props.slos ?? ORDER_APP_SLOS).map((slo) => ({
      type: 3,
      name: `slo-${slo.key}`,
      content: {
        version: 'KqlItem/1.0',
        query: errorBudgetQuery(slo),
        size: 4,
        title: `SLO: ${slo.title} (${slo.objectivePercent} % over ${slo.windowDays ?? 30} days): error budget left`,
        queryType: 0,
        resourceType: 'microsoft.operationalinsights/workspaces',
        crossComponentResources: [props.workspace.id],
        visualization: 'table',
      },
    }));
    this.workbook = new ApplicationInsightsWorkbook(this, 'workbook', {
      name: stableGuid(`order-platform/${props.clusterName}/cluster-workbook`),
      displayName: `${props.clusterName}: cluster and order app`,
      description: "The seed's Metrics Explorer charts as code, plus the order app's requests.",
      resourceGroupName: props.resourceGroup.name,
      location: props.location,
      category: 'workbook',
      // The API requires the source id in lower case.
      sourceId: Fn.lower(props.workspace.id),
      dataJson: Fn.jsonencode({
        version: 'Notebook/1.0',
        items: [...sloItems, ...items],
        isLocked: false,
        fallbackResourceIds: [props.workspace.id],
      }),
    });
  }
}
