import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { validateAlertEmails, validateAlertThresholds, type AlertThresholds } from '../platform/alert-settings';
import type { MonitoredCluster, MonitoringWorkspace } from './cluster-monitoring';
import { loadQuery } from './kql-queries';

/** The platform metrics namespace of AKS clusters (Azure Monitor's name for it). */
export const AKS_METRIC_NAMESPACE = 'Microsoft.ContainerService/managedClusters';

/** Metric alerts: evaluated every minute over 5 minutes, as the seed's alarms. */
export const METRIC_ALERT_FREQUENCY = 'PT1M';
export const METRIC_ALERT_WINDOW = 'PT5M';
/** Log alerts: Container Insights data arrives a few minutes late, so a longer window avoids flapping. */
export const LOG_ALERT_FREQUENCY = 'PT5M';
export const LOG_ALERT_WINDOW = 'PT15M';

/** One metric alert on the cluster; `runbook` is its section anchor in monitoring/RUNBOOK.md. */
export interface MetricAlertSpec {
  readonly key: string;
  readonly title: string;
  /** Platform metric name, as listed for Microsoft.ContainerService/managedClusters. */
  readonly metricName: string;
  readonly threshold: number;
  /** 0 critical ... 4 verbose. */
  readonly severity: number;
  readonly runbook: string;
}

/** One log alert on the workspace, running a query from `monitoring/queries/alerts/`. */
export interface LogAlertSpec {
  readonly key: string;
  readonly title: string;
  readonly queryId: string;
  /** `Count` of rows, or `Maximum` of `measureColumn`. */
  readonly aggregation: 'Count' | 'Maximum';
  readonly measureColumn?: string;
  readonly operator: 'GreaterThan' | 'GreaterThanOrEqual';
  readonly threshold: number;
  /** Columns whose values split the alert (one alert per pod). */
  readonly dimensions: readonly string[];
  readonly severity: number;
  readonly runbook: string;
}

/** The alerts for given thresholds: the seed's three node alarms, then what on-call also needs. */
export function alertSpecs(t: AlertThresholds): { metric: MetricAlertSpec[]; log: LogAlertSpec[] } {
  return {
    metric: [
      {
        key: 'node-cpu',
        title: `Node CPU above ${t.nodeCpuPercent} %`,
        metricName: 'node_cpu_usage_percentage',
        threshold: t.nodeCpuPercent,
        severity: 2,
        runbook: 'node-cpu',
      },
      {
        key: 'node-memory',
        title: `Node memory working set above ${t.nodeMemoryPercent} %`,
        metricName: 'node_memory_working_set_percentage',
        threshold: t.nodeMemoryPercent,
        severity: 2,
        runbook: 'node-memory',
      },
      {
        key: 'node-disk',
        title: `Node disk used above ${t.nodeDiskPercent} %`,
        metricName: 'node_disk_usage_percentage',
        threshold: t.nodeDiskPercent,
        severity: 1,
        runbook: 'node-disk',
      },
    ],
    log: [
      {
        key: 'app-pods-not-ready',
        title: 'Order app pods not ready for 15 minutes',
        queryId: 'alerts/pods-not-ready',
        aggregation: 'Count',
        operator: 'GreaterThan',
        threshold: 0,
        dimensions: [],
        severity: 1,
        runbook: 'app-pods-not-ready',
      },
      {
        key: 'app-pod-restarts',
        title: `Order app container restarted ${t.podRestarts}+ times in 15 minutes`,
        queryId: 'alerts/pod-restarts',
        aggregation: 'Maximum',
        measureColumn: 'Restarts',
        operator: 'GreaterThanOrEqual',
        threshold: t.podRestarts,
        dimensions: ['Pod'],
        severity: 2,
        runbook: 'app-pod-restarts',
      },
      {
        key: 'app-error-rate',
        title: `Order app 5xx responses above ${t.appErrorRatePercent} %`,
        queryId: 'alerts/app-error-rate',
        aggregation: 'Maximum',
        measureColumn: 'ErrorRatePercent',
        operator: 'GreaterThan',
        threshold: t.appErrorRatePercent,
        dimensions: [],
        severity: 1,
        runbook: 'app-error-rate',
      },
    ],
  };
}

export interface ClusterAlertsProps {
  /** Literal cluster name, prefix of every alert's and the action group's name. */
  readonly clusterName: string;
  /** The AKS cluster the metric alerts watch. */
  readonly cluster: MonitoredCluster;
  /** The Log Analytics workspace the log alerts query. */
  readonly workspace: MonitoringWorkspace;
  /** Azure region of the log alerts. */
  readonly location: string;
  /** Resource group of the action group and the alerts. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** Who is e-mailed; at least one. */
  readonly alertEmails: readonly string[];
  /** Node CPU, memory and disk percentages, pod restarts and app error rate that fire the alerts. */
  readonly thresholds: AlertThresholds;
  /** Where the runbook is read, for links in alert descriptions. @default "monitoring/RUNBOOK.md" */
  readonly runbookUrl?: string;
}

/**
 * The on-call action group (e-mail, common alert schema) and every alert, each wired to it:
 * metric alerts on the cluster's node CPU, memory and disk (per node), and log alerts on the
 * app's pods and error rate.
 */
export class ClusterAlerts extends Construct {
  public readonly actionGroup: MonitorActionGroup;
  public readonly metricAlerts: MonitorMetricAlert[] = [];
  public readonly logAlerts: MonitorScheduledQueryRulesAlertV2[] = [];

  constructor(scope: Construct, id: string, props: ClusterAlertsProps) {
    super(scope, id);
    validateAlertEmails(props.alertEmails, 'alertEmails');
    validateAlertThresholds(props.thresholds, 'thresholds');
    const runbook = props.runbookUrl ?? 'monitoring/RUNBOOK.md';

    this.actionGroup = new MonitorActionGroup(this, 'action-group', {
      name: `${props.clusterName}-oncall`,
      resourceGroupName: props.resourceGroup.name,
      location: 'global',
      shortName: 'orders-ops',
      emailReceiver: props.alertEmails.map((email, i) => ({ name: `email-${i + 1}`, emailAddress: email, useCommonAlertSchema: true })),
    });

    const specs = alertSpecs(props.thresholds);
    for (const spec of specs.metric) {
      this.metricAlerts.push(
        new MonitorMetricAlert(this, `metric-${spec.key}`, {
          name: `${props.clusterName}-${spec.key}`,
          resourceGroupName: props.resourceGroup.name,
          scopes: [props.cluster.id],
          description: `${spec.title}, averaged over 5 minutes. Runbook: ${runbook}#${spec.runbook}`,
          severity: spec.severity,
          frequency: METRIC_ALERT_FREQUENCY,
          windowSize: METRIC_ALERT_WINDOW,
          autoMitigate: true,
          criteria: [
            {
              metricNamespace: AKS_METRIC_NAMESPACE,
              metricName: spec.metricName,
              aggregation: 'Average',
              operator: 'GreaterThan',
              threshold: spec.threshold,
              // One alert per node: a single hot node fires even when the cluster average is fine.
              dimension: [{ name: 'node', operator: 'Include', values: ['*'] }],
            },
          ],
          action: [{ actionGroupId: this.actionGroup.id }],
        }),
      );
    }

    for (const spec of specs.log) {
      const query = loadQuery(spec.queryId);
      this.logAlerts.push(
        new MonitorScheduledQueryRulesAlertV2(this, `log-${spec.key}`, {
          name: `${props.clusterName}-${spec.key}`,
          displayName: spec.title,
          description: `${query.description} Runbook: ${runbook}#${spec.runbook}`,
          resourceGroupName: props.resourceGroup.name,
          location: props.location,
          scopes: [props.workspace.id],
          severity: spec.severity,
          evaluationFrequency: LOG_ALERT_FREQUENCY,
          windowDuration: LOG_ALERT_WINDOW,
          autoMitigationEnabled: true,
          // The Container Insights tables exist only once data has arrived, so Azure's deploy-time
          // check would fail on a new workspace; the queries are checked by the Kusto analyzer in tests.
          skipQueryValidation: true,
          criteria: [
            {
              query: query.text,
              timeAggregationMethod: spec.aggregation,
              ...(spec.measureColumn ? { metricMeasureColumn: spec.measureColumn } : {}),
              operator: spec.operator,
              threshold: spec.threshold,
              ...(spec.dimensions.length > 0 ? { dimension: spec.dimensions.map((name) => ({ name, operator: 'Include', values: ['*'] })) } : {}),
              failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
            },
          ],
          action: { actionGroups: [this.actionGroup.id] },
        }),
      );
    }
  }
}
