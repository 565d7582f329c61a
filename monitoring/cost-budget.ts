import { ConsumptionBudgetResourceGroup } from '@cdktf/provider-azurerm/lib/consumption-budget-resource-group';
import { StaticResource } from '@cdktf/provider-time/lib/static-resource';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';

/** Percentages of the monthly budget at which the alert recipients are e-mailed (actual spend). */
export const BUDGET_ALERT_PERCENTS = [75, 95] as const;

export interface CostBudgetProps {
  /** The resource group whose cost is budgeted (every resource of the environment is in it). */
  readonly resourceGroupId: string;
  /** The budget's name, unique in the resource group. */
  readonly name: string;
  /** Monthly amount, in the billing account's currency. */
  readonly monthlyAmount: number;
  /** Who is e-mailed when actual spend reaches each of `BUDGET_ALERT_PERCENTS`. */
  readonly alertEmails: readonly string[];
}

/**
 * A monthly cost budget on the environment's resource group, e-mailing the alert recipients
 * when the month's actual cost reaches 75% and 95% of it. Azure evaluates budgets about once
 * a day, so an alert can come up to a day after the threshold is crossed. The budget starts
 * on the first day of the month of the first deploy (held by a `time_static`, so later
 * applies do not move it: Azure refuses a start date in the past).
 */
export class CostBudget extends Construct {
  public readonly budget: ConsumptionBudgetResourceGroup;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    const firstDeploy = new StaticResource(this, 'first-deploy', {});
    this.budget = new ConsumptionBudgetResourceGroup(this, 'budget', {
      name: props.name,
      resourceGroupId: props.resourceGroupId,
      amount: props.monthlyAmount,
      timeGrain: 'Monthly',
      timePeriod: { startDate: Fn.formatdate("YYYY-MM-01'T'00:00:00Z", firstDeploy.rfc3339) },
      notification: BUDGET_ALERT_PERCENTS.map((threshold) => ({
        enabled: true,
        threshold,
        operator: 'GreaterThanOrEqualTo',
        thresholdType: 'Actual',
        contactEmails: [...props.alertEmails],
      })),
    });
  }
}
