// The Kusto language service (Microsoft's parser and semantic analyzer, compiled to JavaScript).
// It defines the global `Kusto` namespace when loaded.
import '@kusto/language-service-next/bridge.min.js';
import '@kusto/language-service-next/Kusto.Language.Bridge.min.js';

declare const Kusto: any;

/**
 * The workspace tables the queries read, with the columns Azure Monitor's table reference
 * documents (learn.microsoft.com/azure/azure-monitor/reference/tables/<table>). Only what
 * Container Insights writes for this cluster; a query naming anything else fails analysis.
 */
export const WORKSPACE_TABLES: Record<string, string> = {
  Perf:
    '(TimeGenerated:datetime, Computer:string, ObjectName:string, CounterName:string, ' +
    'InstanceName:string, CounterValue:real, CounterPath:string, _ResourceId:string)',
  KubePodInventory:
    '(TimeGenerated:datetime, ClusterId:string, ClusterName:string, Computer:string, ' +
    'ContainerCreationTimeStamp:datetime, ContainerID:string, ContainerLastStatus:string, ' +
    'ContainerName:string, ContainerRestartCount:int, ContainerStartTime:datetime, ' +
    'ContainerStatus:string, ContainerStatusReason:string, ControllerKind:string, ' +
    'ControllerName:string, Name:string, Namespace:string, PodCreationTimeStamp:datetime, ' +
    'PodIp:string, PodLabel:string, PodRestartCount:int, PodStartTime:datetime, ' +
    'PodStatus:string, PodUid:string, ServiceName:string, _ResourceId:string)',
  KubeNodeInventory:
    '(TimeGenerated:datetime, ClusterId:string, ClusterName:string, Computer:string, ' +
    'Status:string, KubeletVersion:string, Labels:string, CreationTimeStamp:datetime)',
  KubeEvents:
    '(TimeGenerated:datetime, ClusterId:string, ClusterName:string, Computer:string, ' +
    'Count:real, FirstSeen:datetime, KubeEventType:string, LastSeen:datetime, ' +
    'Message:string, Name:string, Namespace:string, ObjectKind:string, Reason:string, SourceComponent:string)',
  ContainerLogV2:
    '(TimeGenerated:datetime, Computer:string, ContainerId:string, ContainerName:string, ' +
    'KubernetesMetadata:dynamic, LogLevel:string, LogMessage:dynamic, ' +
    'LogSource:string, PodName:string, PodNamespace:string, _ResourceId:string)',
  InsightsMetrics:
    '(TimeGenerated:datetime, Computer:string, Origin:string, Namespace:string, ' +
    'Name:string, Val:real, Tags:string, AgentId:string, _ResourceId:string)',
};

let globals: any;

function workspace(): any {
  if (!globals) {
    const S = Kusto.Language.Symbols;
    const tables = Object.entries(WORKSPACE_TABLES).map(([name, schema]) => new S.TableSymbol.$ctor7(name, schema, null));
    globals = Kusto.Language.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor('workspace', tables));
  }
  return globals;
}

/**
 * Syntax and semantic errors of a query against the workspace tables: an unknown table,
 * column or function, a type mismatch, a syntax error. Empty when the query is valid.
 */
export function kqlErrors(query: string): string[] {
  const code = Kusto.Language.KustoCode.ParseAndAnalyze(query, workspace());
  const diagnostics = code.GetDiagnostics();
  const errors: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (String(d.Severity) === 'Error') {
      const line = query.slice(0, d.Start).split('\n').length;
      errors.push(`line ${line}: ${d.Message}`);
    }
  }
  return errors;
}
