import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { RegistryConfig } from '../../platform/registry-config';
import { AuditLogs } from '../../monitoring/audit-trail';
import { LogAnalytics } from '../../monitoring/log-analytics';
import { ContainerRegistry } from '../constructs/container-registry';
import { BaseStack, type StateProps } from './base-stack';

export interface RegistryStackProps extends StateProps {
  /** The shared registry's settings (platform/registry-config.ts). */
  readonly config: RegistryConfig;
}

/**
 * The one registry every environment pulls from (stack `registry`, deployed before the
 * environments), and the workspace its audit logs (logins, pushes, pulls) go to: the
 * environments' workspaces are deployed after it, so it has its own.
 */
export class RegistryStack extends BaseStack {
  public readonly containerRegistry: ContainerRegistry;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props, props.config.tags);
    this.containerRegistry = new ContainerRegistry(this, 'container-registry', { config: props.config });
    const r = this.containerRegistry.registry;
    const audit = new LogAnalytics(this, 'audit-log-analytics', {
      name: `${props.config.name}-audit-logs`,
      resourceGroup: this.containerRegistry.resourceGroup,
      location: props.config.location,
      retentionDays: 90,
      dailyQuotaGb: -1,
    });
    new AuditLogs(this, 'registry-audit-logs', { resourceType: 'azurerm_container_registry', targetResourceId: r.id, workspace: audit.workspace });
    new TerraformOutput(this, 'container_registry_login_server', { value: r.loginServer, description: 'Where the pipeline pushes the app image' });
    new TerraformOutput(this, 'container_registry_id', { value: r.id, description: 'The registry clusters pull from (AcrPull)' });
  }
}
