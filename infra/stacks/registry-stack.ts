import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { RegistryConfig } from '../../platform/registry-config';
import { ContainerRegistry } from '../constructs/container-registry';
import { BaseStack, type StateProps } from './base-stack';

export interface RegistryStackProps extends StateProps {
  /** The shared registry's settings (platform/registry-config.ts). */
  readonly config: RegistryConfig;
}

/** The one registry every environment pulls from (stack `registry`, deployed before the environments). */
export class RegistryStack extends BaseStack {
  public readonly containerRegistry: ContainerRegistry;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props, props.config.tags);
    this.containerRegistry = new ContainerRegistry(this, 'container-registry', { config: props.config });
    const r = this.containerRegistry.registry;
    new TerraformOutput(this, 'container_registry_login_server', { value: r.loginServer, description: 'Where the pipeline pushes the app image' });
    new TerraformOutput(this, 'container_registry_id', { value: r.id, description: 'The registry clusters pull from (AcrPull)' });
  }
}
