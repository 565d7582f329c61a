import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';

export interface LogAnalyticsProps {
  /** Name of the workspace. */
  readonly name: string;
  /** Resource group of the workspace. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** Azure region of the workspace. */
  readonly location: string;
  /** Days logs are kept, 30-730. */
  readonly retentionDays: number;
  /** Daily ingestion cap in GB, or -1 for none. */
  readonly dailyQuotaGb: number;
}

/**
 * The Log Analytics workspace that Container Insights, SQL auditing and the app's logs go
 * to. Local (shared-key) authentication is off: agents use managed identities. Alerts,
 * saved queries and the workbook are built on it in monitoring/ (issue 5).
 */
export class LogAnalytics extends Construct {
  public readonly workspace: LogAnalyticsWorkspace;

  constructor(scope: Construct, id: string, props: LogAnalyticsProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 30 || props.retentionDays > 730) {
      throw new Error(`retentionDays must be a whole number from 30 to 730; got ${props.retentionDays}`);
    }
    this.workspace = new LogAnalyticsWorkspace(this, 'workspace', {
      name: props.name,
      resourceGroupName: props.resourceGroup.name,
      location: props.location,
      sku: 'PerGB2018',
      retentionInDays: props.retentionDays,
      dailyQuotaGb: props.dailyQuotaGb,
      localAuthenticationEnabled: false,
    });
  }
}
