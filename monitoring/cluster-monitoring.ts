import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { DEFAULT_ALERT_THRESHOLDS, type AlertThresholds } from '../platform/alert-settings';
import { ClusterAlerts } from './cluster-alerts';
import { ClusterWorkbook } from './cluster-workbook';
import { ContainerInsights } from './container-insights';
import { ManagedPrometheus } from './managed-prometheus';
import { SavedQueries } from './saved-queries';
import { ORDER_APP_SLOS, type ServiceLevelObjective } from './service-level-objectives';
import { SloAlertRules } from './slo-alert-rules';

/** The cluster as monitoring needs it (an `azurerm_kubernetes_cluster` satisfies this). */
export interface MonitoredCluster {
  readonly id: string;
  readonly name: string;
}

/** The workspace as monitoring needs it (an `azurerm_log_analytics_workspace` satisfies this). */
export interface MonitoringWorkspace {
  readonly id: string;
}

export interface ClusterMonitoringProps {
  /** Literal cluster name, for resource names (the cluster's `name` attribute is a token). */
  readonly clusterName: string;
  /** The AKS cluster that is watched (its id scopes the metric alerts and the Container Insights rule). */
  readonly cluster: MonitoredCluster;
  /** The Log Analytics workspace the logs, log alerts, saved queries and workbook use. */
  readonly workspace: MonitoringWorkspace;
  /** Azure region of the monitoring resources. */
  readonly location: string;
  /** Resource group of the monitoring resources. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** Who the on-call action group e-mails; at least one address. */
  readonly alertEmails: readonly string[];
  /** What fires the alerts (percentages, restarts, error rate). @default DEFAULT_ALERT_THRESHOLDS (the seed's 80 / 80 / 90 %) */
  readonly thresholds?: AlertThresholds;
  /** The app's service-level objectives, alerted on by burn rate. @default ORDER_APP_SLOS */
  readonly slos?: readonly ServiceLevelObjective[];
}

/**
 * Everything the seed set up by hand in the portal, as code: Container Insights (rule and
 * association), the on-call action group and alerts, the saved queries, and the workbook;
 * plus Managed Prometheus (which scrapes the app's `/metrics`) and the SLO burn-rate rules on it.
 */
export class ClusterMonitoring extends Construct {
  public readonly containerInsights: ContainerInsights;
  public readonly alerts: ClusterAlerts;
  public readonly savedQueries: SavedQueries;
  public readonly workbook: ClusterWorkbook;
  public readonly prometheus: ManagedPrometheus;
  public readonly sloRules: SloAlertRules;

  constructor(scope: Construct, id: string, props: ClusterMonitoringProps) {
    super(scope, id);
    const thresholds = props.thresholds ?? DEFAULT_ALERT_THRESHOLDS;
    const common = {
      clusterName: props.clusterName,
      cluster: props.cluster,
      workspace: props.workspace,
      location: props.location,
      resourceGroup: props.resourceGroup,
    };
    this.alerts = new ClusterAlerts(this, 'alerts', { ...common, alertEmails: props.alertEmails, thresholds });
    this.containerInsights = new ContainerInsights(this, 'container-insights', common);
    this.savedQueries = new SavedQueries(this, 'saved-queries', { workspace: props.workspace });
    this.workbook = new ClusterWorkbook(this, 'workbook', common);
    this.prometheus = new ManagedPrometheus(this, 'prometheus', common);
    this.sloRules = new SloAlertRules(this, 'slo-rules', {
      ...common,
      prometheusWorkspace: this.prometheus.workspace,
      actionGroup: this.alerts.actionGroup,
      slos: props.slos ?? ORDER_APP_SLOS,
    });
  }
}
