import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environments } from '../../platform/environment-config';
import { all, synthEnvironment, type Resources } from '../../test-helpers/synth-helpers';
import { DATA_TIER_ALERTS, KEY_VAULT_METRIC_NAMESPACE, SQL_DATABASE_METRIC_NAMESPACE } from '../data-tier-alerts';

const [, prod] = environments({ ADMIN_CIDRS: '148.252.158.53/32', ALERT_EMAILS: 'oncall@shop.example' });
const resource: Resources = synthEnvironment(prod!).platform.resource;
const metricAlerts = all(resource, 'azurerm_monitor_metric_alert') as any[];
const byName = (key: string) => metricAlerts.find((a) => a.name === `terraform-aks-cluster-${key}`);
const runbook = readFileSync(join(__dirname, '..', 'RUNBOOK.md'), 'utf8');
/** GitHub's anchors for `## heading`: lower case, spaces to dashes, punctuation dropped. */
const anchors = new Set(
  [...runbook.matchAll(/^## (.+)$/gm)].map((m) =>
    m[1]!
      .toLowerCase()
      .replace(/[^\w\s-]/g, '')
      .replace(/\s/g, '-'),
  ),
);

test.each([
  ['kv-availability', KEY_VAULT_METRIC_NAMESPACE, 'Availability', 'Average', 'LessThan', 99.9, 1],
  ['kv-throttling', KEY_VAULT_METRIC_NAMESPACE, 'ServiceApiResult', 'Count', 'GreaterThan', 0, 2],
  ['kv-latency', KEY_VAULT_METRIC_NAMESPACE, 'ServiceApiLatency', 'Average', 'GreaterThan', 1000, 3],
  ['sql-cpu', SQL_DATABASE_METRIC_NAMESPACE, 'cpu_percent', 'Average', 'GreaterThan', 80, 2],
  ['sql-storage', SQL_DATABASE_METRIC_NAMESPACE, 'storage_percent', 'Maximum', 'GreaterThan', 85, 2],
  ['sql-deadlocks', SQL_DATABASE_METRIC_NAMESPACE, 'deadlock', 'Total', 'GreaterThan', 0, 2],
  ['sql-failed-connections', SQL_DATABASE_METRIC_NAMESPACE, 'connection_failed', 'Total', 'GreaterThan', 5, 2],
])('%s: %s %s, %s %s %p, severity %p, every 5 minutes over 15', (key, namespace, metric, aggregation, operator, threshold, severity) => {
  const alert = byName(key);
  expect(alert).toMatchObject({ frequency: 'PT5M', window_size: 'PT15M', severity, auto_mitigate: true });
  expect(alert.criteria[0]).toMatchObject({ metric_namespace: namespace, metric_name: metric, aggregation, operator, threshold });
  const target = namespace === KEY_VAULT_METRIC_NAMESPACE ? /^\$\{azurerm_key_vault\.[\w-]+\.id\}$/ : /^\$\{azurerm_mssql_database\.[\w-]+\.id\}$/;
  expect(alert.scopes).toEqual([expect.stringMatching(target)]);
  expect(alert.action).toEqual([{ action_group_id: expect.stringMatching(/azurerm_monitor_action_group/) }]);
});

test('throttling counts only 429 responses', () => {
  expect(byName('kv-throttling').criteria[0].dimension).toEqual([{ name: 'StatusCode', operator: 'Include', values: ['429'] }]);
});

test('every metric alert, the cluster and data-tier ones alike, links a runbook section that exists', () => {
  expect(metricAlerts.length).toBe(3 + DATA_TIER_ALERTS.length);
  for (const alert of metricAlerts) {
    const anchor = /monitoring\/RUNBOOK\.md#([\w-]+)/.exec(alert.description)?.[1];
    expect({ alert: alert.name, anchor, exists: anchors.has(anchor!) }).toEqual({ alert: alert.name, anchor, exists: true });
  }
});

test('every link inside the runbook points at a section of it', () => {
  for (const [, anchor] of runbook.matchAll(/\]\(#([\w-]+)\)/g)) expect({ anchor, exists: anchors.has(anchor!) }).toEqual({ anchor, exists: true });
});
