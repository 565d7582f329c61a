import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { environments, InfraConfigError, validateEnvironment } from '../../platform/environment-config';
import { all, only, synthEnvironment, type Resources } from '../../test-helpers/synth-helpers';
import { DEFAULT_ALERT_THRESHOLDS, MonitoringConfigError } from '../../platform/alert-settings';
import { AKS_METRIC_NAMESPACE, alertSpecs, LOG_ALERT_FREQUENCY, LOG_ALERT_WINDOW } from '../cluster-alerts';
import { ClusterMonitoring } from '../cluster-monitoring';
import { stableGuid } from '../cluster-workbook';
import { loadQueries } from '../kql-queries';

const [dev, prod] = environments({ ADMIN_CIDRS: '148.252.158.53/32', ALERT_EMAILS: 'oncall@shop.example,lead@shop.example' });
const resource: Resources = synthEnvironment(prod!).platform.resource;
const MONITORING_TYPES = [
  'azurerm_monitor_action_group',
  'azurerm_monitor_metric_alert',
  'azurerm_monitor_scheduled_query_rules_alert_v2',
  'azurerm_monitor_data_collection_rule',
  'azurerm_monitor_data_collection_rule_association',
  'azurerm_log_analytics_saved_search',
  'azurerm_application_insights_workbook',
  'azurerm_monitor_workspace',
  'azurerm_monitor_data_collection_endpoint',
  'azurerm_monitor_alert_prometheus_rule_group',
];
// The cluster's metric alerts (the data tier's have their own test file).
const metricAlerts = (all(resource, 'azurerm_monitor_metric_alert') as any[]).filter((a) => a.criteria[0].metric_namespace === AKS_METRIC_NAMESPACE);
const logAlerts = all(resource, 'azurerm_monitor_scheduled_query_rules_alert_v2') as any[];
const actionGroupRef = '${azurerm_monitor_action_group.monitoring_alerts_action-group_F94EEE4A.id}';
const byMetric = (name: string) => metricAlerts.find((a) => a.criteria[0].metric_name === name);

test('snapshot: the monitoring resources (prod)', () => {
  expect(Object.fromEntries(MONITORING_TYPES.map((t) => [t, resource[t]]))).toMatchSnapshot();
});

describe('Container Insights', () => {
  const rule = (all(resource, 'azurerm_monitor_data_collection_rule') as any[]).find((r) => r.name.startsWith('MSCI-'));
  const association = (all(resource, 'azurerm_monitor_data_collection_rule_association') as any[]).find(
    (a) => a.name === 'ContainerInsightsExtension',
  );

  test('a data collection rule sends the Container Insights streams, with ContainerLogV2, to the workspace', () => {
    expect(rule.name).toBe('MSCI-uksouth-terraform-aks-cluster');
    expect(rule.data_sources.extension).toEqual([
      expect.objectContaining({ extension_name: 'ContainerInsights', streams: ['Microsoft-ContainerInsights-Group-Default'] }),
    ]);
    expect(JSON.parse(rule.data_sources.extension[0].extension_json)).toEqual({
      dataCollectionSettings: { interval: '1m', namespaceFilteringMode: 'Off', enableContainerLogV2: true },
    });
    expect(rule.data_flow).toEqual([{ streams: ['Microsoft-ContainerInsights-Group-Default'], destinations: ['ciworkspace'] }]);
    expect(rule.destinations.log_analytics).toEqual([
      { name: 'ciworkspace', workspace_resource_id: expect.stringContaining('azurerm_log_analytics_workspace') },
    ]);
  });

  test('the rule is associated with the cluster, whose agent uses managed-identity auth', () => {
    expect(association.target_resource_id).toMatch(/^\$\{azurerm_kubernetes_cluster\.[\w-]+\.id\}$/);
    expect(association.data_collection_rule_id).toMatch(/azurerm_monitor_data_collection_rule\.[\w-]+\.id/);
    expect((only(resource, 'azurerm_kubernetes_cluster') as any).oms_agent.msi_auth_for_monitoring_enabled).toBe(true);
  });
});

describe('Managed Prometheus', () => {
  const workspace = only(resource, 'azurerm_monitor_workspace') as any;
  const endpoint = only(resource, 'azurerm_monitor_data_collection_endpoint') as any;
  const rule = (all(resource, 'azurerm_monitor_data_collection_rule') as any[]).find((r) => r.name.startsWith('MSProm-'));
  const associations = all(resource, 'azurerm_monitor_data_collection_rule_association') as any[];

  test('the cluster runs the metrics add-on (monitor_metrics profile)', () => {
    expect((only(resource, 'azurerm_kubernetes_cluster') as any).monitor_metrics).toEqual({});
  });

  test("a data collection rule forwards the add-on's Prometheus samples, through the endpoint, to the Azure Monitor workspace", () => {
    expect(workspace.name).toBe('terraform-aks-cluster-prometheus');
    expect(rule).toMatchObject({
      name: 'MSProm-uksouth-terraform-aks-cluster',
      kind: 'Linux',
      data_collection_endpoint_id: expect.stringMatching(/^\$\{azurerm_monitor_data_collection_endpoint\.[\w-]+\.id\}$/),
      data_flow: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['MonitoringAccount1'] }],
      data_sources: { prometheus_forwarder: [{ name: 'PrometheusDataSource', streams: ['Microsoft-PrometheusMetrics'] }] },
    });
    expect(rule.destinations.monitor_account).toEqual([
      { name: 'MonitoringAccount1', monitor_account_id: expect.stringMatching(/^\$\{azurerm_monitor_workspace\.[\w-]+\.id\}$/) },
    ]);
    expect(endpoint).toMatchObject({ name: 'MSProm-uksouth-terraform-aks-cluster', kind: 'Linux', location: 'uksouth' });
  });

  test('the rule and the endpoint are both associated with the cluster', () => {
    const toCluster = associations.filter((a) => /^\$\{azurerm_kubernetes_cluster\.[\w-]+\.id\}$/.test(a.target_resource_id));
    expect(toCluster.map((a) => a.name).sort()).toEqual([
      'ContainerInsightsExtension',
      'MSProm-uksouth-terraform-aks-cluster',
      'configurationAccessEndpoint',
    ]);
    expect(toCluster.find((a) => a.name === 'configurationAccessEndpoint').data_collection_endpoint_id).toMatch(
      /azurerm_monitor_data_collection_endpoint/,
    );
    expect(toCluster.find((a) => a.name.startsWith('MSProm-')).data_collection_rule_id).toMatch(/azurerm_monitor_data_collection_rule\.[\w-]+\.id/);
  });
});

describe('action group', () => {
  const group = only(resource, 'azurerm_monitor_action_group') as any;

  test('e-mails every configured address with the common alert schema', () => {
    expect(group.email_receiver).toEqual([
      { name: 'email-1', email_address: 'oncall@shop.example', use_common_alert_schema: true },
      { name: 'email-2', email_address: 'lead@shop.example', use_common_alert_schema: true },
    ]);
    expect(group.short_name.length).toBeLessThanOrEqual(12);
  });

  test('every alert reaches the action group', () => {
    expect(metricAlerts).toHaveLength(3);
    expect(logAlerts).toHaveLength(3);
    for (const a of metricAlerts) expect(a.action).toEqual([{ action_group_id: actionGroupRef }]);
    for (const a of logAlerts) expect(a.action).toEqual({ action_groups: [actionGroupRef] });
  });
});

describe('metric alerts', () => {
  test.each([
    ['node_cpu_usage_percentage', 80, 2],
    ['node_memory_working_set_percentage', 80, 2],
    ['node_disk_usage_percentage', 90, 1],
  ])('%s above %p %%, severity %p, every minute over 5 minutes, per node', (metric, threshold, severity) => {
    const alert = byMetric(metric);
    expect(alert).toMatchObject({ frequency: 'PT1M', window_size: 'PT5M', severity, auto_mitigate: true });
    expect(alert.scopes).toEqual([expect.stringMatching(/azurerm_kubernetes_cluster\.\w+\.id/)]);
    expect(alert.criteria).toEqual([
      {
        metric_namespace: AKS_METRIC_NAMESPACE,
        metric_name: metric,
        aggregation: 'Average',
        operator: 'GreaterThan',
        threshold,
        dimension: [{ name: 'node', operator: 'Include', values: ['*'] }],
      },
    ]);
  });

  test('use the platform metrics namespace of AKS', () => {
    expect(AKS_METRIC_NAMESPACE).toBe('Microsoft.ContainerService/managedClusters');
  });

  test('descriptions link their runbook section', () => {
    expect(byMetric('node_disk_usage_percentage').description).toContain('monitoring/RUNBOOK.md#node-disk');
  });
});

describe('log alerts', () => {
  const byName = (suffix: string) => logAlerts.find((a) => a.name === `terraform-aks-cluster-${suffix}`);

  test('run on the workspace every 5 minutes over 15 minutes', () => {
    for (const a of logAlerts) {
      expect(a).toMatchObject({ evaluation_frequency: LOG_ALERT_FREQUENCY, window_duration: LOG_ALERT_WINDOW, auto_mitigation_enabled: true });
      expect(a.scopes).toEqual([expect.stringContaining('azurerm_log_analytics_workspace')]);
    }
    expect([LOG_ALERT_FREQUENCY, LOG_ALERT_WINDOW]).toEqual(['PT5M', 'PT15M']);
  });

  test('pods not ready: any app pod with no ready sample in the window, severity 1', () => {
    const a = byName('app-pods-not-ready');
    expect(a.severity).toBe(1);
    expect(a.criteria[0]).toMatchObject({ time_aggregation_method: 'Count', operator: 'GreaterThan', threshold: 0 });
    expect(a.criteria[0].query).toContain('KubePodInventory');
  });

  test('restarts: the configured count per pod, split by pod', () => {
    const a = byName('app-pod-restarts');
    expect(a.criteria[0]).toMatchObject({
      time_aggregation_method: 'Maximum',
      metric_measure_column: 'Restarts',
      operator: 'GreaterThanOrEqual',
      threshold: DEFAULT_ALERT_THRESHOLDS.podRestarts,
    });
    expect(a.criteria[0].dimension).toEqual([{ name: 'Pod', operator: 'Include', values: ['*'] }]);
  });

  test("error rate: 5xx share of the app's requests from its logs above the threshold, severity 1", () => {
    const a = byName('app-error-rate');
    expect(a.severity).toBe(1);
    expect(a.criteria[0]).toMatchObject({
      time_aggregation_method: 'Maximum',
      metric_measure_column: 'ErrorRatePercent',
      operator: 'GreaterThan',
      threshold: 5,
    });
    expect(a.criteria[0].query).toContain('ContainerLogV2');
  });

  test('carry the exact text of their .kql files', () => {
    const texts = new Map(loadQueries().map((q) => [q.id, q.text]));
    expect(byName('app-error-rate').criteria[0].query).toBe(texts.get('alerts/app-error-rate'));
    expect(byName('app-pod-restarts').criteria[0].query).toBe(texts.get('alerts/pod-restarts'));
  });
});

test('every .kql file is a saved search in the workspace, filed by group', () => {
  const searches = all(resource, 'azurerm_log_analytics_saved_search') as any[];
  const queries = loadQueries();
  expect(searches).toHaveLength(queries.length);
  for (const q of queries) {
    const s = searches.find((x) => x.name === `order-platform-${q.id.replace('/', '-')}`);
    expect(s).toMatchObject({ display_name: q.title, query: q.text });
    expect(s.category).toMatch(/^Order platform: /);
    expect(s.log_analytics_workspace_id).toContain('azurerm_log_analytics_workspace');
  }
});

describe('workbook', () => {
  const workbook = only(resource, 'azurerm_application_insights_workbook') as any;

  test("has the seed's four charts and the app's requests", () => {
    const data = workbook.data_json as string;
    for (const metric of ['node_cpu_usage_percentage', 'kube_pod_status_phase', 'node_disk_usage_percentage']) {
      expect(data).toContain(`microsoft.containerservice/managedclusters--${metric}`);
    }
    expect(data).toContain('container.azm.ms/diskio');
    for (const title of [
      'Average node CPU usage %',
      'Average pod count (by phase)',
      'Used disk %',
      'Bytes read and written per second',
      'Order app requests by status',
    ]) {
      expect(data).toContain(title);
    }
  });

  test('has a stable GUID name, in lower-case source form', () => {
    expect(workbook.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(workbook.name).toBe(stableGuid('order-platform/terraform-aks-cluster/cluster-workbook'));
    expect(workbook.name).not.toBe(stableGuid('order-platform/terraform-aks-cluster-dev/cluster-workbook'));
    expect(workbook.source_id).toMatch(/^\$\{lower\(azurerm_log_analytics_workspace/);
  });
});

describe('invalid configuration fails synth with the setting named', () => {
  test.each([
    ['no e-mail', { alertEmails: [] }, 'prod.monitoring.alertEmails = []: must name at least one e-mail address for alerts'],
    ['a bad e-mail', { alertEmails: ['oncall'] }, 'prod.monitoring.alertEmails[0] = "oncall": must be an e-mail address'],
    [
      'a CPU threshold above 100',
      { alerts: { ...DEFAULT_ALERT_THRESHOLDS, nodeCpuPercent: 120 } },
      'prod.monitoring.alerts.nodeCpuPercent = 120: must be a percentage above 0 and below 100',
    ],
    [
      'a disk threshold of 0',
      { alerts: { ...DEFAULT_ALERT_THRESHOLDS, nodeDiskPercent: 0 } },
      'prod.monitoring.alerts.nodeDiskPercent = 0: must be a percentage above 0 and below 100',
    ],
    [
      'a negative error rate',
      { alerts: { ...DEFAULT_ALERT_THRESHOLDS, appErrorRatePercent: -1 } },
      'prod.monitoring.alerts.appErrorRatePercent = -1: must be a percentage',
    ],
    [
      'zero restarts',
      { alerts: { ...DEFAULT_ALERT_THRESHOLDS, podRestarts: 0 } },
      'prod.monitoring.alerts.podRestarts = 0: must be a whole number of restarts from 1 to 100',
    ],
    ['retention of 7 days', { retentionDays: 7 }, 'prod.monitoring.retentionDays = 7: must be a whole number of days from 30 to 730'],
    ['retention of 1000 days', { retentionDays: 1000 }, 'prod.monitoring.retentionDays = 1000: must be a whole number of days from 30 to 730'],
  ])('%s', (_what, patch, message) => {
    const config = { ...prod!, monitoring: { ...prod!.monitoring, ...patch } };
    expect(() => validateEnvironment(config)).toThrow(InfraConfigError);
    expect(() => validateEnvironment(config)).toThrow(message);
  });

  test('the construct itself refuses a threshold outside 0-100 and an empty e-mail list', () => {
    const build = (props: Partial<ConstructorParameters<typeof ClusterMonitoring>[2]>) => () =>
      new ClusterMonitoring(new TerraformStack(Testing.app(), 's'), 'm', {
        clusterName: 'c',
        cluster: { id: 'cluster-id', name: 'c' },
        workspace: { id: 'ws-id' },
        location: 'uksouth',
        resourceGroup: { name: 'rg' },
        alertEmails: ['a@b.example'],
        ...props,
      });
    expect(build({ thresholds: { ...DEFAULT_ALERT_THRESHOLDS, nodeMemoryPercent: 101 } })).toThrow(MonitoringConfigError);
    expect(build({ thresholds: { ...DEFAULT_ALERT_THRESHOLDS, nodeMemoryPercent: 101 } })).toThrow('thresholds.nodeMemoryPercent = 101');
    expect(build({ alertEmails: [] })).toThrow('alertEmails = []: must name at least one e-mail address');
    expect(build({})).not.toThrow();
  });
});

test('dev gets the same alerts with its own cluster name', () => {
  const devResource = synthEnvironment(dev!).platform.resource;
  const names = (all(devResource, 'azurerm_monitor_metric_alert') as any[])
    .map((a) => a.name)
    .filter((n) => n.includes('-node-'))
    .sort();
  expect(names).toEqual(['terraform-aks-cluster-dev-node-cpu', 'terraform-aks-cluster-dev-node-disk', 'terraform-aks-cluster-dev-node-memory']);
});

test('every alert has a runbook section with meaning, what to open, causes, actions and verification', () => {
  const runbook = readFileSync(join(__dirname, '../RUNBOOK.md'), 'utf8');
  const specs = alertSpecs(DEFAULT_ALERT_THRESHOLDS);
  for (const spec of [...specs.metric, ...specs.log]) {
    const start = runbook.indexOf(`\n## ${spec.runbook}\n`);
    expect({ section: spec.runbook, found: start >= 0 }).toEqual({ section: spec.runbook, found: true });
    const end = runbook.indexOf('\n## ', start + 1);
    const section = runbook.slice(start, end === -1 ? undefined : end);
    for (const part of ['**Means:**', '**Open:**', '**Likely causes', '**Act', '**Verify:**'])
      expect({ section: spec.runbook, part, found: section.includes(part) }).toEqual({ section: spec.runbook, part, found: true });
  }
  for (const step of ['**Acknowledge.**', '**Investigate.**', '**Act.**', '**Verify.**', '**Document.**']) expect(runbook).toContain(step);
});
