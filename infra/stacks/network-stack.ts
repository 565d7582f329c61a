import { AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import type { EnvironmentConfig } from '../config/environment-config';
import { Networking } from '../constructs/networking';

/** Remote state settings, from the environment (the pipeline sets them). */
export interface StateBackendConfig {
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  readonly containerName: string;
}

/** Reads `TF_STATE_RESOURCE_GROUP`, `TF_STATE_STORAGE_ACCOUNT`, `TF_STATE_CONTAINER`; all or none. */
export function stateBackendFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): StateBackendConfig | undefined {
  const values = [env.TF_STATE_RESOURCE_GROUP, env.TF_STATE_STORAGE_ACCOUNT, env.TF_STATE_CONTAINER];
  if (values.every((v) => !v)) return undefined;
  if (values.some((v) => !v)) throw new Error('Remote state needs all of TF_STATE_RESOURCE_GROUP, TF_STATE_STORAGE_ACCOUNT and TF_STATE_CONTAINER (or none, for local state).');
  return { resourceGroupName: values[0]!, storageAccountName: values[1]!, containerName: values[2]! };
}

export interface PlatformStackProps {
  readonly config: EnvironmentConfig;
  /** Remote state; local state when absent (synth works anywhere). */
  readonly backend?: StateBackendConfig;
}

/**
 * Base for every stack: the azurerm provider authenticated from the environment (az login
 * locally, OIDC in the pipeline; never a client secret) and one state file per stack and
 * environment.
 */
export abstract class PlatformStack extends TerraformStack {
  protected constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}], storageUseAzuread: true });
    if (props.backend) {
      new AzurermBackend(this, { ...props.backend, key: `${id}.tfstate`, useAzureadAuth: true, useOidc: true });
    } else {
      new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    }
  }
}

/** The networking stack of one environment, with the seed's outputs. */
export class NetworkStack extends PlatformStack {
  public readonly networking: Networking;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.networking = new Networking(this, 'networking', { config: config.networking, location: config.location, tags: config.tags });
    const n = this.networking;
    new TerraformOutput(this, 'vnet_id', { value: n.vnet.id, description: 'ID of the virtual network' });
    new TerraformOutput(this, 'control_plane_subnet_id', { value: n.controlPlaneSubnet.id, description: 'ID of the control plane subnet' });
    new TerraformOutput(this, 'worker_node_subnet_id', { value: n.workerNodeSubnet.id, description: 'ID of the worker node subnet' });
    new TerraformOutput(this, 'networking_resource_group_name', { value: n.resourceGroup.name, description: 'Name of the networking resource group' });
    new TerraformOutput(this, 'aks_nsg_id', { value: n.nsg.id, description: 'ID of the NSG for AKS' });
  }
}
