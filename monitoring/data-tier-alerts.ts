import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';

/** Azure Monitor's platform metric namespaces of the data tier. */
export const KEY_VAULT_METRIC_NAMESPACE = 'Microsoft.KeyVault/vaults';
export const SQL_DATABASE_METRIC_NAMESPACE = 'Microsoft.Sql/servers/databases';

/** One metric alert on a data-tier resource; `runbook` is its section anchor in monitoring/RUNBOOK.md. */
export interface DataTierAlertSpec {
  readonly key: string;
  readonly title: string;
  readonly target: 'keyVault' | 'sqlDatabase';
  /** Platform metric name, as Azure Monitor lists it for the target's namespace. */
  readonly metricName: string;
  readonly aggregation: 'Average' | 'Maximum' | 'Total' | 'Count';
  readonly operator: 'GreaterThan' | 'LessThan';
  readonly threshold: number;
  /** Only count the metric where this dimension has one of these values. */
  readonly dimension?: { readonly name: string; readonly values: readonly string[] };
  /** 0 critical ... 4 verbose. */
  readonly severity: number;
  readonly runbook: string;
}

/**
 * The data tier's alerts: Key Vault serving (availability, throttling, latency) and Azure SQL
 * headroom and health (CPU, storage, deadlocks, failed connections). The app cannot start or
 * answer without either, so each has its own alert rather than waiting for the app's 5xx.
 */
export const DATA_TIER_ALERTS: readonly DataTierAlertSpec[] = [
  {
    key: 'kv-availability',
    title: 'Key Vault availability below 99.9 %',
    target: 'keyVault',
    metricName: 'Availability',
    aggregation: 'Average',
    operator: 'LessThan',
    threshold: 99.9,
    severity: 1,
    runbook: 'kv-availability',
  },
  {
    key: 'kv-throttling',
    title: 'Key Vault throttling requests (429)',
    target: 'keyVault',
    metricName: 'ServiceApiResult',
    aggregation: 'Count',
    operator: 'GreaterThan',
    threshold: 0,
    dimension: { name: 'StatusCode', values: ['429'] },
    severity: 2,
    runbook: 'kv-throttling',
  },
  {
    key: 'kv-latency',
    title: 'Key Vault API latency above 1 s',
    target: 'keyVault',
    metricName: 'ServiceApiLatency',
    aggregation: 'Average',
    operator: 'GreaterThan',
    threshold: 1000,
    severity: 3,
    runbook: 'kv-latency',
  },
  {
    key: 'sql-cpu',
    title: 'SQL database CPU above 80 %',
    target: 'sqlDatabase',
    metricName: 'cpu_percent',
    aggregation: 'Average',
    operator: 'GreaterThan',
    threshold: 80,
    severity: 2,
    runbook: 'sql-cpu',
  },
  {
    key: 'sql-storage',
    title: 'SQL database storage above 85 % of its maximum size',
    target: 'sqlDatabase',
    metricName: 'storage_percent',
    aggregation: 'Maximum',
    operator: 'GreaterThan',
    threshold: 85,
    severity: 2,
    runbook: 'sql-storage',
  },
  {
    key: 'sql-deadlocks',
    title: 'SQL database deadlocks',
    target: 'sqlDatabase',
    metricName: 'deadlock',
    aggregation: 'Total',
    operator: 'GreaterThan',
    threshold: 0,
    severity: 2,
    runbook: 'sql-deadlocks',
  },
  {
    key: 'sql-failed-connections',
    title: 'SQL database failed connections (system errors)',
    target: 'sqlDatabase',
    metricName: 'connection_failed',
    aggregation: 'Total',
    operator: 'GreaterThan',
    threshold: 5,
    severity: 2,
    runbook: 'sql-failed-connections',
  },
];

/** Evaluated every 5 minutes over 15: these metrics arrive per minute and one bad minute is noise. */
export const DATA_TIER_ALERT_FREQUENCY = 'PT5M';
export const DATA_TIER_ALERT_WINDOW = 'PT15M';

export interface DataTierAlertsProps {
  /** Literal name prefix of every alert (the cluster's name, as the other alerts). */
  readonly namePrefix: string;
  /** The vault the Key Vault alerts watch. */
  readonly keyVault: { readonly id: string };
  /** The app's database the SQL alerts watch. */
  readonly sqlDatabase: { readonly id: string };
  /** The on-call action group every alert notifies. */
  readonly actionGroup: { readonly id: string };
  /** Resource group of the alerts. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** Where the runbook is read, for links in alert descriptions. @default "monitoring/RUNBOOK.md" */
  readonly runbookUrl?: string;
}

/** A metric alert per `DATA_TIER_ALERTS` entry, each wired to the on-call action group. */
export class DataTierAlerts extends Construct {
  public readonly alerts: MonitorMetricAlert[] = [];

  constructor(scope: Construct, id: string, props: DataTierAlertsProps) {
    super(scope, id);
    const runbook = props.runbookUrl ?? 'monitoring/RUNBOOK.md';
    for (const spec of DATA_TIER_ALERTS) {
      const keyVault = spec.target === 'keyVault';
      this.alerts.push(
        new MonitorMetricAlert(this, spec.key, {
          name: `${props.namePrefix}-${spec.key}`,
          resourceGroupName: props.resourceGroup.name,
          scopes: [keyVault ? props.keyVault.id : props.sqlDatabase.id],
          description: `${spec.title}, evaluated every 5 minutes over 15. Runbook: ${runbook}#${spec.runbook}`,
          severity: spec.severity,
          frequency: DATA_TIER_ALERT_FREQUENCY,
          windowSize: DATA_TIER_ALERT_WINDOW,
          autoMitigate: true,
          criteria: [
            {
              metricNamespace: keyVault ? KEY_VAULT_METRIC_NAMESPACE : SQL_DATABASE_METRIC_NAMESPACE,
              metricName: spec.metricName,
              aggregation: spec.aggregation,
              operator: spec.operator,
              threshold: spec.threshold,
              ...(spec.dimension ? { dimension: [{ name: spec.dimension.name, operator: 'Include', values: [...spec.dimension.values] }] } : {}),
            },
          ],
          action: [{ actionGroupId: props.actionGroup.id }],
        }),
      );
    }
  }
}
