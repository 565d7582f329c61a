import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import type { MonitoringWorkspace } from './cluster-monitoring';

/**
 * The audit log categories each kind of resource must send to Log Analytics. A test iterates
 * every synthesized resource of these types and fails if one has no diagnostic setting with
 * all of its categories.
 * - AKS: `kube-audit-admin` (every write to the API server, without the get/list noise of
 *   `kube-audit`) and `guard` (Entra ID and Azure RBAC authorization decisions);
 * - Key Vault: `AuditEvent` (every data-plane call: who read which secret);
 * - the registry: logins and repository events (pushes, pulls, deletes);
 * - Azure SQL: `SQLSecurityAuditEvents` on the master database, fed by the server's
 *   auditing policy with `log_monitoring_enabled` (Microsoft's documented way).
 */
export const AUDIT_LOG_CATEGORIES = {
  azurerm_kubernetes_cluster: ['kube-audit-admin', 'guard'],
  azurerm_key_vault: ['AuditEvent'],
  azurerm_container_registry: ['ContainerRegistryRepositoryEvents', 'ContainerRegistryLoginEvents'],
  azurerm_mssql_server: ['SQLSecurityAuditEvents'],
} as const;

/** A resource type whose audit logs are collected. */
export type AuditedResourceType = keyof typeof AUDIT_LOG_CATEGORIES;

export interface AuditLogsProps {
  /** The resource's type, which decides the categories (see `AUDIT_LOG_CATEGORIES`). */
  readonly resourceType: AuditedResourceType;
  /** Id of the resource whose logs are sent (for SQL: the server's master database). */
  readonly targetResourceId: string;
  /** The Log Analytics workspace the logs go to. */
  readonly workspace: MonitoringWorkspace;
  /**
   * `Dedicated` writes to resource-specific tables (AKSAuditAdmin, AKSControlPlane), cheaper
   * to query than AzureDiagnostics; only some resource types support it. @default AzureDiagnostics
   */
  readonly destinationType?: 'Dedicated' | 'AzureDiagnostics';
  /** Resources that must exist first (SQL: the auditing policy). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** One diagnostic setting per audited resource, with exactly its audit categories (no metrics: they are free in Azure Monitor). */
export class AuditLogs extends Construct {
  public readonly setting: MonitorDiagnosticSetting;

  constructor(scope: Construct, id: string, props: AuditLogsProps) {
    super(scope, id);
    const categories = AUDIT_LOG_CATEGORIES[props.resourceType];
    this.setting = new MonitorDiagnosticSetting(this, 'setting', {
      name: 'audit-to-log-analytics',
      targetResourceId: props.targetResourceId,
      logAnalyticsWorkspaceId: props.workspace.id,
      ...(props.destinationType === 'Dedicated' ? { logAnalyticsDestinationType: 'Dedicated' } : {}),
      enabledLog: categories.map((category) => ({ category })),
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
    });
  }
}
