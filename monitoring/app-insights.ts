import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import type { MonitoringWorkspace } from './cluster-monitoring';

export interface AppInsightsProps {
  /** Name of the Application Insights resource (unique in its resource group). */
  readonly name: string;
  /** Resource group of the resource. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** Azure region of the resource. */
  readonly location: string;
  /**
   * The Log Analytics workspace the telemetry is stored in (workspace-based Application
   * Insights: the workspace's retention, daily cap and access control apply to the traces too).
   */
  readonly workspace: MonitoringWorkspace;
}

/**
 * Where the app's distributed traces go: a workspace-based Application Insights resource on the
 * environment's Log Analytics workspace (requests, dependencies and exceptions land in its
 * AppRequests, AppDependencies and AppExceptions tables). Its connection string is written to
 * Key Vault by `AppData`, and the app reads it from there (`AppContract.secretNames`).
 */
export class AppInsights extends Construct {
  public readonly component: ApplicationInsights;

  constructor(scope: Construct, id: string, props: AppInsightsProps) {
    super(scope, id);
    // Azure's rule for microsoft.insights/components names.
    const { name } = props;
    if (name.length < 1 || name.length > 260 || /[%&\\?/\p{Cc}]/u.test(name) || /[. ]$/.test(name)) {
      throw new Error(
        `name must be 1-260 characters, without % & \\ ? / or control characters, not ending in '.' or ' '; got ${JSON.stringify(name)}`,
      );
    }
    this.component = new ApplicationInsights(this, 'component', {
      name,
      resourceGroupName: props.resourceGroup.name,
      location: props.location,
      workspaceId: props.workspace.id,
      applicationType: 'Node.JS',
      // The app samples (TRACE_SAMPLING_PERCENT, whole traces by trace id); ingestion sampling
      // on top would drop parts of traces the app chose to keep.
      samplingPercentage: 100,
      // Client addresses are stored as 0.0.0.0 (the default, stated because it is a privacy setting).
      disableIpMasking: false,
      // The app sends with the connection string's instrumentation key. Entra-only ingestion
      // would need the app identity to hold Monitoring Metrics Publisher here and the exporter a
      // credential: not done yet (docs/operations.md, Traces).
      localAuthenticationDisabled: false,
    });
  }
}
