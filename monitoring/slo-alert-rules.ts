import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { MonitorAlertPrometheusRuleGroup } from '@cdktf/provider-azurerm/lib/monitor-alert-prometheus-rule-group';
import type { MonitoredCluster } from './cluster-monitoring';
import { sloRules, validateServiceLevelObjectives, type ServiceLevelObjective } from './service-level-objectives';

/** Rule groups are evaluated every minute, as Prometheus' default. */
export const SLO_RULE_INTERVAL = 'PT1M';
/** A burn-rate alert resolves once it has been quiet this long. */
export const SLO_ALERT_TIME_TO_RESOLVE = 'PT10M';

export interface SloAlertRulesProps {
  /** Literal cluster name: the rule groups' names start with it, and the rules read only its series. */
  readonly clusterName: string;
  /** The AKS cluster the rules are scoped to. */
  readonly cluster: MonitoredCluster;
  /** The Azure Monitor workspace (Managed Prometheus) the rules run in. */
  readonly prometheusWorkspace: { readonly id: string };
  /** The action group the alerts notify. */
  readonly actionGroup: { readonly id: string };
  /** The objectives; each becomes one rule group. */
  readonly slos: readonly ServiceLevelObjective[];
  /** Azure region of the rule groups. */
  readonly location: string;
  /** Resource group of the rule groups. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** Where the runbook is read, for links in alert descriptions. @default "monitoring/RUNBOOK.md" */
  readonly runbookUrl?: string;
}

/**
 * One Azure Prometheus rule group per objective: the error ratio recorded over every window,
 * then the multiwindow, multi-burn-rate alerts on those records (see `BURN_RATE_ALERTS`).
 */
export class SloAlertRules extends Construct {
  public readonly ruleGroups: MonitorAlertPrometheusRuleGroup[] = [];

  constructor(scope: Construct, id: string, props: SloAlertRulesProps) {
    super(scope, id);
    const slos = validateServiceLevelObjectives(props.slos);
    const runbook = props.runbookUrl ?? 'monitoring/RUNBOOK.md';
    for (const slo of slos) {
      const rules = sloRules(slo, runbook);
      this.ruleGroups.push(
        new MonitorAlertPrometheusRuleGroup(this, slo.key, {
          name: `${props.clusterName}-slo-${slo.key}`,
          description: `${slo.title}: ${slo.objectivePercent} % over ${slo.windowDays ?? 30} days (monitoring/service-level-objectives.ts).`,
          resourceGroupName: props.resourceGroup.name,
          location: props.location,
          clusterName: props.clusterName,
          scopes: [props.prometheusWorkspace.id, props.cluster.id],
          interval: SLO_RULE_INTERVAL,
          ruleGroupEnabled: true,
          rule: [
            ...rules.recording.map((r) => ({ record: r.record, expression: r.expression, labels: r.labels, enabled: true })),
            ...rules.alerts.map((a) => ({
              alert: a.alert,
              expression: a.expression,
              severity: a.severity,
              labels: a.labels,
              annotations: a.annotations,
              enabled: true,
              action: [{ actionGroupId: props.actionGroup.id }],
              alertResolution: { autoResolved: true, timeToResolve: SLO_ALERT_TIME_TO_RESOLVE },
            })),
          ],
        }),
      );
    }
  }
}
