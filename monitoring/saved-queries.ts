import { Construct } from 'constructs';
import { LogAnalyticsSavedSearch } from '@cdktf/provider-azurerm/lib/log-analytics-saved-search';
import type { MonitoringWorkspace } from './cluster-monitoring';
import { loadQueries, type KqlQuery } from './kql-queries';

/** Category each query group is filed under in Log Analytics' query explorer. */
export const SAVED_QUERY_CATEGORIES: Readonly<Record<string, string>> = {
  cluster: 'Order platform: cluster',
  app: 'Order platform: order app',
  alerts: 'Order platform: alert queries',
};

export interface SavedQueriesProps {
  /** The Log Analytics workspace the searches are saved in. */
  readonly workspace: MonitoringWorkspace;
  /** The KQL queries to save as searches. @default every file in monitoring/queries/ */
  readonly queries?: readonly KqlQuery[];
}

/**
 * Every `.kql` file in `monitoring/queries/` as a saved search in the workspace: the seed's
 * five cluster queries, the app's own, and the queries behind the log alerts (so the runbook
 * can point at them by name).
 */
export class SavedQueries extends Construct {
  public readonly searches: LogAnalyticsSavedSearch[];

  constructor(scope: Construct, id: string, props: SavedQueriesProps) {
    super(scope, id);
    const queries = props.queries ?? loadQueries();
    this.searches = queries.map((q) => {
      const category = SAVED_QUERY_CATEGORIES[q.group];
      if (!category) throw new Error(`query ${q.id}: no category for group "${q.group}"; add it to SAVED_QUERY_CATEGORIES`);
      return new LogAnalyticsSavedSearch(this, q.id.replace('/', '-'), {
        name: `order-platform-${q.id.replace('/', '-')}`,
        logAnalyticsWorkspaceId: props.workspace.id,
        category,
        displayName: q.title,
        query: q.text,
      });
    });
  }
}
