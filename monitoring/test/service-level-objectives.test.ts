import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import request from 'supertest';
import { AppContract } from '../../app/src/app-contract';
import { AppMetrics } from '../../app/src/http/metrics';
import { makeTestApp } from '../../app/test/helpers';
import { environments } from '../../platform/environment-config';
import { MonitoringConfigError } from '../../platform/alert-settings';
import { all, synthEnvironment, type Resources } from '../../test-helpers/synth-helpers';
import {
  BURN_RATE_ALERTS,
  errorBudgetQuery,
  errorRatioRecord,
  HTTP_DURATION_METRIC,
  ORDER_APP_SLOS,
  SLI_WINDOWS,
  validateServiceLevelObjectives,
  type ServiceLevelObjective,
} from '../service-level-objectives';
import { kqlErrors } from './kusto';
import { appRoutes } from '../../test-helpers/app-routes';

const [, prod] = environments({ ADMIN_CIDRS: '148.252.158.53/32', ALERT_EMAILS: 'oncall@shop.example' });
const resource: Resources = synthEnvironment(prod!).platform.resource;
const groups = all(resource, 'azurerm_monitor_alert_prometheus_rule_group') as any[];
const rules = groups.flatMap((g) => g.rule as any[]);
const recorded = new Set(rules.filter((r) => r.record).map((r) => r.record as string));
const alerts = rules.filter((r) => r.alert);

/** Labels the metrics add-on puts on every scraped series (target discovery), beside the app's own. */
const TARGET_LABELS = ['namespace', 'pod', 'container', 'job', 'instance', 'cluster'];

/** Every series name the app's registry exposes, with its label names, read from its real exposition. */
async function appSeries(): Promise<Map<string, Set<string>>> {
  const metrics = new AppMetrics();
  // A labelled histogram exposes its _bucket/_count/_sum series only once something is observed.
  metrics.httpDuration.observe({ method: 'GET', route: '/', status: '200' }, 0.01);
  metrics.dbErrors.inc({ operation: 'list' });
  const series = new Map<string, Set<string>>();
  for (const line of (await metrics.registry.metrics()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s/.exec(line);
    if (!m) continue;
    const labels = series.get(m[1]!) ?? new Set<string>();
    for (const pair of (m[3] ?? '').split(',').filter(Boolean)) labels.add(pair.split('=')[0]!);
    series.set(m[1]!, labels);
  }
  return series;
}

interface Selector {
  metric: string;
  matchers: { label: string; op: string; value: string }[];
}

/** Parses PromQL with the Prometheus project's parser: the error nodes, and every vector selector. */
function parsePromql(expression: string): { errors: number[]; selectors: Selector[] } {
  const errors: number[] = [];
  const selectors: Selector[] = [];
  const text = (n: { from: number; to: number }) => expression.slice(n.from, n.to);
  const cursor = parser.parse(expression).cursor();
  do {
    if (cursor.type.isError) errors.push(cursor.from);
    if (cursor.name === 'VectorSelector') {
      const node = cursor.node;
      const matchers = (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map((m) => ({
        label: text(m.getChild('LabelName')!),
        op: text(m.getChild('MatchOp')!),
        value: JSON.parse(text(m.getChild('StringLiteral')!)) as string,
      }));
      selectors.push({ metric: text(node.getChild('Identifier')!), matchers });
    }
  } while (cursor.next());
  return { errors, selectors };
}

test('one rule group per objective, in the Managed Prometheus workspace and scoped to the cluster', () => {
  expect(groups.map((g) => g.name).sort()).toEqual(ORDER_APP_SLOS.map((s) => `terraform-aks-cluster-slo-${s.key}`).sort());
  for (const g of groups) {
    expect(g).toMatchObject({ cluster_name: 'terraform-aks-cluster', interval: 'PT1M', rule_group_enabled: true });
    expect(g.scopes).toEqual([
      expect.stringMatching(/^\$\{azurerm_monitor_workspace\.[\w-]+\.id\}$/),
      expect.stringMatching(/azurerm_kubernetes_cluster/),
    ]);
    // Azure's limit on rules per group.
    expect(g.rule.length).toBeLessThanOrEqual(20);
  }
});

test('every expression parses with the Prometheus PromQL parser, without an error node', () => {
  expect(rules.length).toBeGreaterThan(0);
  for (const r of rules)
    expect({ rule: r.record ?? r.alert, errors: parsePromql(r.expression).errors }).toEqual({ rule: r.record ?? r.alert, errors: [] });
});

test("the parser's check is real: a broken expression has error nodes", () => {
  expect(parsePromql('sum(rate(http_request_duration_seconds_count[5m])').errors).not.toEqual([]);
  expect(parsePromql('x > > 1').errors).not.toEqual([]);
});

test('every metric an expression reads is one the app registers, or a record of these rule groups; every label is one it carries', async () => {
  const series = await appSeries();
  const used = new Set<string>();
  for (const r of rules) {
    for (const s of parsePromql(r.expression).selectors) {
      used.add(s.metric);
      if (recorded.has(s.metric)) {
        expect(s.matchers.map((m) => m.label)).toEqual(['slo']);
        continue;
      }
      expect({ metric: s.metric, registered: series.has(s.metric) }).toEqual({ metric: s.metric, registered: true });
      const labels = series.get(s.metric)!;
      for (const m of s.matchers)
        expect({ metric: s.metric, label: m.label, known: labels.has(m.label) || TARGET_LABELS.includes(m.label) }).toMatchObject({ known: true });
    }
  }
  expect([...used].sort()).toEqual(
    expect.arrayContaining([`${HTTP_DURATION_METRIC}_count`, `${HTTP_DURATION_METRIC}_bucket`, ...SLI_WINDOWS.map(errorRatioRecord)]),
  );
});

test("every selector reads the app's namespace, and each latency threshold is a bucket bound the app exposes", async () => {
  const series = await appSeries();
  expect(series.get(`${HTTP_DURATION_METRIC}_bucket`)).toContain('le');
  const metrics = new AppMetrics({ defaultMetrics: false });
  metrics.httpDuration.observe({ method: 'GET', route: '/', status: '200' }, 0.01);
  const bounds = [...(await metrics.registry.metrics()).matchAll(/le="([^"]+)"/g)].map((m) => m[1]);
  for (const r of rules.filter((x) => x.record)) {
    for (const s of parsePromql(r.expression).selectors) {
      expect(s.matchers).toContainEqual({ label: 'namespace', op: '=', value: AppContract.kubernetes.namespace });
      for (const m of s.matchers.filter((x) => x.label === 'le')) expect(bounds).toContain(m.value);
    }
  }
  for (const slo of ORDER_APP_SLOS) if (slo.indicator.kind === 'latency') expect(bounds).toContain(String(slo.indicator.thresholdSeconds));
});

test("each objective's routes are routes the app serves, and the route label the app records matches the selector", async () => {
  const { app, metrics } = await makeTestApp();
  const routes = appRoutes(app as never);
  for (const slo of ORDER_APP_SLOS)
    for (const route of slo.routes) expect({ slo: slo.key, route, served: routes.includes(route) }).toMatchObject({ served: true });
  await request(app).get('/').expect(200);
  await request(app).get('/api/orders').expect(200);
  const exposition = await metrics.registry.metrics();
  const routeLabels = new Set([...exposition.matchAll(/http_request_duration_seconds_count\{[^}]*route="([^"]+)"/g)].map((m) => m[1]));
  expect([...routeLabels]).toEqual(expect.arrayContaining(['/', '/api/orders']));
  for (const r of rules.filter((x) => x.record)) {
    const route = parsePromql(r.expression).selectors[0]!.matchers.find((m) => m.label === 'route')!;
    // PromQL regexes are anchored; the label values the app wrote must be selected by the objective that names them.
    const re = new RegExp(`^(?:${route.value})$`);
    const slo = ORDER_APP_SLOS.find((s) => s.key === r.labels.slo)!;
    for (const label of routeLabels) expect({ label, selected: re.test(label!) }).toEqual({ label, selected: slo.routes.includes(label!) });
  }
});

test('each objective records its error ratio over every window an alert reads', () => {
  for (const slo of ORDER_APP_SLOS) {
    const records = rules.filter((r) => r.record && r.labels.slo === slo.key).map((r) => r.record);
    expect(records).toEqual(SLI_WINDOWS.map(errorRatioRecord));
  }
});

test('availability counts 5xx responses as bad; latency counts requests slower than the threshold', () => {
  const availability = rules.find((r) => r.record === 'slo:sli_error:ratio_rate5m' && r.labels.slo === 'order-pages-availability');
  expect(availability.expression).toContain('status=~"5.."');
  expect(availability.expression).toContain('[5m]');
  const latency = rules.find((r) => r.record === 'slo:sli_error:ratio_rate1h' && r.labels.slo === 'order-list-latency');
  expect(latency.expression).toContain('le="0.5"');
  expect(latency.expression).toContain('method=~"GET"');
  expect(latency.expression).toContain('[1h]');
});

test.each([
  ['1h', '5m', 14.4, 1],
  ['6h', '30m', 6, 1],
  ['1d', '2h', 3, 3],
  ['3d', '6h', 1, 3],
])('alerts when both the %s and the %s error ratios burn the budget %px, severity %p', (long, short, burnRate, severity) => {
  for (const slo of ORDER_APP_SLOS) {
    const budget = Number((1 - slo.objectivePercent / 100).toFixed(10));
    const alert = alerts.find((a) => a.alert === `${slo.key}-burn-${long}-${short}`);
    expect(alert.severity).toBe(severity);
    const over = (window: string) => `slo:sli_error:ratio_rate${window}{slo="${slo.key}"} > (${burnRate} * ${budget})`;
    expect(alert.expression).toBe(`${over(long)} and ${over(short)}`);
  }
});

test('every alert notifies the on-call action group, resolves itself, and links a runbook section that exists', () => {
  const runbook = readFileSync(join(__dirname, '..', 'RUNBOOK.md'), 'utf8');
  const sections = new Set([...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1]));
  expect(alerts).toHaveLength(ORDER_APP_SLOS.length * BURN_RATE_ALERTS.length);
  for (const a of alerts) {
    expect(a.action).toEqual([{ action_group_id: expect.stringMatching(/azurerm_monitor_action_group/) }]);
    expect(a.alert_resolution).toEqual({ auto_resolved: true, time_to_resolve: 'PT10M' });
    const anchor = /monitoring\/RUNBOOK\.md#([\w-]+)/.exec(a.annotations.description)?.[1];
    expect({ alert: a.alert, section: sections.has(anchor) }).toEqual({ alert: a.alert, section: true });
  }
});

describe('validation', () => {
  const valid = ORDER_APP_SLOS[0]!;
  const invalid = (change: Partial<ServiceLevelObjective>) => () => validateServiceLevelObjectives([{ ...valid, ...change }]);

  test('the declared objectives are valid', () => {
    expect(validateServiceLevelObjectives(ORDER_APP_SLOS)).toBe(ORDER_APP_SLOS);
  });

  test('throws if an objective is 100 % or leaves too large a budget for a 14.4x burn', () => {
    expect(invalid({ objectivePercent: 100 })).toThrow('slos[0].objectivePercent = 100: must be a percentage above 50 and below 100');
    expect(invalid({ objectivePercent: 90 })).toThrow(MonitoringConfigError);
  });

  test('throws if a route is not a path, or a key is repeated', () => {
    expect(invalid({ routes: ['orders'] })).toThrow('slos[0].routes');
    expect(invalid({ routes: [] })).toThrow('slos[0].routes');
    expect(() => validateServiceLevelObjectives([valid, valid])).toThrow('slos[1].key = "order-pages-availability": must be unique');
  });

  test('throws if a latency threshold is not a positive number of seconds', () => {
    expect(invalid({ indicator: { kind: 'latency', thresholdSeconds: 0 } })).toThrow('slos[0].indicator.thresholdSeconds = 0');
  });
});

describe('error budget in the workbook', () => {
  const workbook = all(resource, 'azurerm_application_insights_workbook')[0] as any;

  test.each(ORDER_APP_SLOS.map((s) => [s.key, s] as const))('%s: its query parses and names only known columns (Kusto analyzer)', (_key, slo) => {
    expect(kqlErrors(errorBudgetQuery(slo))).toEqual([]);
  });

  test('each objective is a tile of the workbook, before the charts, with its objective and budget', () => {
    for (const slo of ORDER_APP_SLOS) {
      expect(workbook.data_json).toContain(`slo-${slo.key}`);
      const query = errorBudgetQuery(slo);
      expect(query).toContain(`Objective = ${slo.objectivePercent}`);
      expect(query).toContain(`/ ${Number((1 - slo.objectivePercent / 100).toFixed(10))}), 1)`);
    }
    expect(errorBudgetQuery(ORDER_APP_SLOS[1]!)).toContain('countif(Ms > 500)');
    expect(errorBudgetQuery(ORDER_APP_SLOS[1]!)).toContain("Method in ('GET')");
  });

  test("the path regex selects the app's requests as the route patterns do", () => {
    const regex = /@'\^\((.*)\)\$'/.exec(errorBudgetQuery(ORDER_APP_SLOS[0]!))![1]!;
    const re = new RegExp(`^(${regex})$`);
    for (const path of ['/', '/orders', '/orders.csv', '/api/orders/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/user-1']) expect(re.test(path)).toBe(true);
    for (const path of ['/ordersxcsv', '/healthz', '/metrics', '/api/orders/a/b/c', '/static/app.css']) expect(re.test(path)).toBe(false);
  });
});
