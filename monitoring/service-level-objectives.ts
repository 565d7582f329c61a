import { AppContract } from '../app/src/app-contract';
import { MonitoringConfigError } from '../platform/alert-settings';

/**
 * The histogram the app registers for every request (app/src/http/metrics.ts), with labels
 * `method`, `route` (the matched route pattern) and `status`. A test reads the app's own
 * registry and fails if the name, a suffix or a label used below is not there.
 */
export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';

/** What a request must do to count as good. */
export type SloIndicator =
  /** Good: any status below 500. */
  | { readonly kind: 'availability' }
  /** Good: answered within `thresholdSeconds`, which must be one of the histogram's bucket bounds. */
  | { readonly kind: 'latency'; readonly thresholdSeconds: number };

/** One service-level objective of the order app. */
export interface ServiceLevelObjective {
  /** Kebab-case id: the `slo` label of its recording rules and alerts, and part of the rule group's name. */
  readonly key: string;
  /** What the objective promises, in plain words (alert titles, the workbook). */
  readonly title: string;
  /** How a request is judged good or bad. */
  readonly indicator: SloIndicator;
  /** Share of good requests promised over the window, percent (e.g. 99.9). Above 50 and below 100. */
  readonly objectivePercent: number;
  /** The compliance window, days: the error budget is spent over it. @default 30 */
  readonly windowDays?: number;
  /** Route patterns (the app's `route` label, e.g. `/orders/new`) the objective covers. */
  readonly routes: readonly string[];
  /** HTTP methods the objective covers. @default every method */
  readonly methods?: readonly string[];
  /** Section in monitoring/RUNBOOK.md that the objective's alerts link. */
  readonly runbook: string;
}

/**
 * The order pages' objectives, declared once: the recording rules, the burn-rate alerts and
 * the workbook's error-budget tiles are all generated from this list.
 */
export const ORDER_APP_SLOS: readonly ServiceLevelObjective[] = [
  {
    key: 'order-pages-availability',
    title: 'Order pages and API answer without a server error',
    indicator: { kind: 'availability' },
    objectivePercent: 99.5,
    routes: ['/', '/orders', '/orders/new', '/add_order', '/orders.csv', '/api/orders', '/api/orders/:dateUuid/:userId'],
    runbook: 'slo-order-pages-availability',
  },
  {
    key: 'order-list-latency',
    title: 'The order list answers within 500 ms',
    indicator: { kind: 'latency', thresholdSeconds: 0.5 },
    objectivePercent: 99,
    routes: ['/', '/api/orders'],
    methods: ['GET'],
    runbook: 'slo-order-list-latency',
  },
];

/**
 * Multiwindow, multi-burn-rate alerting (Google SRE workbook, "Alerting on SLOs", table 5-8):
 * an alert fires when both the long and the short window burn the budget faster than
 * `burnRate`; the short window makes it resolve soon after the burn stops.
 */
export const BURN_RATE_ALERTS = [
  { long: '1h', short: '5m', burnRate: 14.4, budgetSpent: '2 % of the budget in 1 hour', severity: 1, kind: 'page' },
  { long: '6h', short: '30m', burnRate: 6, budgetSpent: '5 % of the budget in 6 hours', severity: 1, kind: 'page' },
  { long: '1d', short: '2h', burnRate: 3, budgetSpent: '10 % of the budget in 1 day', severity: 3, kind: 'ticket' },
  { long: '3d', short: '6h', burnRate: 1, budgetSpent: '10 % of the budget in 3 days', severity: 3, kind: 'ticket' },
] as const;

/** Every window an alert reads, shortest first: each gets a recording rule. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/** The recorded error ratio of every objective over a window (one series per `slo` label). */
export const errorRatioRecord = (window: string): string => `slo:sli_error:ratio_rate${window}`;

/** A recording or alerting rule, as an Azure Prometheus rule group holds it. */
export interface RecordingRule {
  readonly record: string;
  readonly expression: string;
  readonly labels: Record<string, string>;
}

export interface BurnRateAlertRule {
  readonly alert: string;
  readonly expression: string;
  readonly severity: number;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** The error budget as a ratio (99.5 % -> 0.005), rounded so the PromQL shows the number people wrote. */
export const errorBudget = (slo: ServiceLevelObjective): number => Number((1 - slo.objectivePercent / 100).toFixed(10));

const KEY = /^[a-z][a-z0-9-]{2,40}$/;
/** Express route patterns as the app writes them: path characters and `:param` segments only. */
const ROUTE = /^\/[A-Za-z0-9._~:/-]*$/;
const METHOD = /^[A-Z]+$/;

/** Checks every objective; throws `MonitoringConfigError` naming the setting, the value and the rule. */
export function validateServiceLevelObjectives(slos: readonly ServiceLevelObjective[], at = 'slos'): readonly ServiceLevelObjective[] {
  if (slos.length === 0) throw new MonitoringConfigError(at, slos, 'must declare at least one objective');
  const seen = new Set<string>();
  slos.forEach((slo, i) => {
    const here = `${at}[${i}]`;
    if (!KEY.test(slo.key)) throw new MonitoringConfigError(`${here}.key`, slo.key, 'must be kebab-case, 3 to 41 characters, starting with a letter');
    if (seen.has(slo.key)) throw new MonitoringConfigError(`${here}.key`, slo.key, 'must be unique');
    seen.add(slo.key);
    const p = slo.objectivePercent;
    if (!Number.isFinite(p) || p <= 50 || p >= 100)
      throw new MonitoringConfigError(`${here}.objectivePercent`, p, 'must be a percentage above 50 and below 100 (100 leaves no error budget)');
    // 1x burn over 3 days must still be below 100 % errors, or the slowest alert can never fire.
    if (BURN_RATE_ALERTS.some((a) => a.burnRate * errorBudget(slo) >= 1))
      throw new MonitoringConfigError(
        `${here}.objectivePercent`,
        p,
        'must leave a budget small enough that a 14.4x burn is below 100 % errors (above 93.06)',
      );
    const days = slo.windowDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 90)
      throw new MonitoringConfigError(`${here}.windowDays`, days, 'must be a whole number of days from 7 to 90');
    if (slo.routes.length === 0 || slo.routes.some((r) => !ROUTE.test(r)))
      throw new MonitoringConfigError(
        `${here}.routes`,
        slo.routes,
        'must list at least one route pattern: a path of letters, digits, . _ ~ - / and :param segments',
      );
    if (slo.methods && (slo.methods.length === 0 || slo.methods.some((m) => !METHOD.test(m))))
      throw new MonitoringConfigError(`${here}.methods`, slo.methods, 'must list HTTP methods in capitals, or be left out for every method');
    if (slo.indicator.kind === 'latency') {
      const t = slo.indicator.thresholdSeconds;
      if (!Number.isFinite(t) || t <= 0 || t > 60)
        throw new MonitoringConfigError(`${here}.indicator.thresholdSeconds`, t, 'must be a number of seconds above 0, at most 60');
    }
    if (!KEY.test(slo.runbook)) throw new MonitoringConfigError(`${here}.runbook`, slo.runbook, 'must be a RUNBOOK.md section anchor (kebab-case)');
  });
  return slos;
}

const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A PromQL string literal: backslashes doubled, so `\.` in the regex survives the string. */
const promString = (s: string): string => `"${s.replace(/\\/g, '\\\\')}"`;

/** The label matchers that select an objective's requests in the app's namespace. */
function selector(slo: ServiceLevelObjective, extra: Record<string, string> = {}): string {
  const matchers = [
    `namespace=${promString(AppContract.kubernetes.namespace)}`,
    `route=~${promString(slo.routes.map(regexEscape).join('|'))}`,
    ...(slo.methods ? [`method=~${promString(slo.methods.join('|'))}`] : []),
    ...Object.entries(extra).map(([k, v]) => `${k}${v.startsWith('~') ? `=~${promString(v.slice(1))}` : `=${promString(v)}`}`),
  ];
  return `{${matchers.join(',')}}`;
}

const rate = (metric: string, sel: string, window: string): string => `sum(rate(${metric}${sel}[${window}]))`;

/** The share of bad requests over a window, in PromQL (0 good ... 1 all bad; no requests gives no sample). */
export function errorRatioExpression(slo: ServiceLevelObjective, window: string): string {
  const total = rate(`${HTTP_DURATION_METRIC}_count`, selector(slo), window);
  if (slo.indicator.kind === 'availability') {
    return `${rate(`${HTTP_DURATION_METRIC}_count`, selector(slo, { status: '~5..' }), window)} / ${total}`;
  }
  const fast = rate(`${HTTP_DURATION_METRIC}_bucket`, selector(slo, { le: String(slo.indicator.thresholdSeconds) }), window);
  return `(${total} - ${fast}) / ${total}`;
}

/** An objective's rules: one recording rule per window, then the four burn-rate alerts that read them. */
export function sloRules(slo: ServiceLevelObjective, runbookUrl: string): { recording: RecordingRule[]; alerts: BurnRateAlertRule[] } {
  const labels = { slo: slo.key };
  const recording = SLI_WINDOWS.map((window) => ({ record: errorRatioRecord(window), expression: errorRatioExpression(slo, window), labels }));
  const budget = errorBudget(slo);
  const alerts = BURN_RATE_ALERTS.map((a) => {
    const over = (window: string) => `${errorRatioRecord(window)}{slo=${promString(slo.key)}} > (${a.burnRate} * ${budget})`;
    return {
      alert: `${slo.key}-burn-${a.long}-${a.short}`,
      expression: `${over(a.long)} and ${over(a.short)}`,
      severity: a.severity,
      labels: { ...labels, kind: a.kind },
      annotations: {
        summary: `${slo.title}: error budget burning ${a.burnRate}x (${a.budgetSpent})`,
        description:
          `${slo.title} (objective ${slo.objectivePercent} % over ${slo.windowDays ?? 30} days): the error ratio over ${a.long} and ` +
          `over ${a.short} is above ${a.burnRate} times the budget (${budget}). Runbook: ${runbookUrl}#${slo.runbook}`,
      },
    };
  });
  return { recording, alerts };
}

/**
 * A route pattern as a regex over request paths: `:param` matches one path segment. Dots are
 * escaped as `[.]`, not `\.`: a backslash in the workbook's JSON is an invalid escape in HCL.
 */
const routeRegex = (route: string): string => route.replace(/\./g, '[.]').replace(/:\w+/g, '[^/]+');

/**
 * The objective over its whole window, from the app's JSON request log in Log Analytics (the
 * workbook's tiles): requests, the share that was good, and the error budget left, percent
 * (100 untouched, 0 spent, negative overspent). The request log has paths, not route
 * patterns, so each pattern becomes a regex.
 */
export function errorBudgetQuery(slo: ServiceLevelObjective): string {
  const bad = slo.indicator.kind === 'availability' ? 'Status >= 500' : `Ms > ${slo.indicator.thresholdSeconds * 1000}`;
  const methods = slo.methods ? `\n| where Method in (${slo.methods.map((m) => `'${m}'`).join(', ')})` : '';
  return (
    `ContainerLogV2\n` +
    `| where TimeGenerated > ago(${slo.windowDays ?? 30}d)\n` +
    `| where PodNamespace == '${AppContract.kubernetes.namespace}' and ContainerName == '${AppContract.appName}'\n` +
    `| where tostring(LogMessage.msg) in ('request completed', 'request aborted')\n` +
    `| extend Method = tostring(LogMessage.req.method), Path = tostring(split(tostring(LogMessage.req.url), '?')[0])\n` +
    `| extend Status = toint(LogMessage.res.statusCode), Ms = todouble(LogMessage.responseTime)\n` +
    `| where Path matches regex @'^(${slo.routes.map(routeRegex).join('|')})$'${methods}\n` +
    `| summarize Requests = count(), Bad = countif(${bad})\n` +
    `| extend Objective = ${slo.objectivePercent}, GoodPercent = round(100.0 * (Requests - Bad) / Requests, 3)\n` +
    `| extend BudgetRemainingPercent = round(100.0 * (1 - (todouble(Bad) / Requests) / ${errorBudget(slo)}), 1)\n` +
    `| project Objective, Requests, GoodPercent, BudgetRemainingPercent`
  );
}
