import { environments } from '../../platform/environment-config';
import { all, synthEnvironment } from '../../test-helpers/synth-helpers';
import { BUDGET_ALERT_PERCENTS } from '../cost-budget';

interface Notification {
  enabled: boolean;
  threshold: number;
  operator: 'EqualTo' | 'GreaterThan' | 'GreaterThanOrEqualTo';
  threshold_type: 'Actual' | 'Forecasted';
  contact_emails: string[];
}

/** Who Azure e-mails for a month's actual spend, as a percentage of the budget (Cost Management's operator semantics). */
function emailed(notifications: Notification[], spentPercent: number): { threshold: number; to: string[] }[] {
  const crossed = (n: Notification): boolean =>
    n.operator === 'EqualTo' ? spentPercent === n.threshold : n.operator === 'GreaterThan' ? spentPercent > n.threshold : spentPercent >= n.threshold;
  return notifications
    .filter((n) => n.enabled && n.threshold_type === 'Actual' && crossed(n))
    .map((n) => ({ threshold: n.threshold, to: n.contact_emails }));
}

describe.each(environments({ ALERT_EMAILS: 'oncall@shop.example,finance@shop.example' }).map((c) => [c.name, c] as const))('%s', (_name, config) => {
  const { platform } = synthEnvironment(config);
  const budgets = all(platform.resource, 'azurerm_consumption_budget_resource_group') as Record<string, any>[];

  test("one monthly budget of the model's amount on the environment's resource group", () => {
    expect(budgets).toHaveLength(1);
    const [budget] = budgets;
    expect(budget).toMatchObject({ amount: config.monitoring.monthlyBudget, time_grain: 'Monthly' });
    // The id of the network stack's resource group (the one every resource of the environment is in).
    expect(budget!.resource_group_id).toMatch(
      new RegExp(`^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-network-${config.name}\\.outputs\\..*resource-group_\\w+id\\}$`),
    );
    // Starts on the first of the month of the first deploy, held by time_static so later applies keep it.
    expect(budget!.time_period.start_date).toMatch(/^\$\{formatdate\("YYYY-MM-01'T'00:00:00Z", time_static\.[\w-]+\.rfc3339\)\}$/);
    expect(all(platform.resource, 'time_static')).toHaveLength(1);
  });

  test('the alert recipients are e-mailed at 75% and at 95% of the actual spend, not before', () => {
    const notifications = budgets[0]!.notification as Notification[];
    const to = ['oncall@shop.example', 'finance@shop.example'];
    expect(emailed(notifications, 74.9)).toEqual([]);
    expect(emailed(notifications, 75)).toEqual([{ threshold: 75, to }]);
    expect(emailed(notifications, 94.9)).toEqual([{ threshold: 75, to }]);
    expect(emailed(notifications, 95)).toEqual([
      { threshold: 75, to },
      { threshold: 95, to },
    ]);
    expect(notifications.map((n) => n.threshold)).toEqual([...BUDGET_ALERT_PERCENTS]);
  });
});
