import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { Networking } from '../constructs/networking';
import { BaseStack, type BaseStackProps } from './base-stack';

/** The networking stack of one environment, with the seed's outputs. */
export class NetworkStack extends BaseStack {
  public readonly networking: Networking;

  constructor(scope: Construct, id: string, props: BaseStackProps) {
    super(scope, id, props, props.config.tags);
    const { config } = props;
    this.networking = new Networking(this, 'networking', { config: config.networking, exposure: config.exposure, location: config.location });
    const n = this.networking;
    new TerraformOutput(this, 'vnet_id', { value: n.vnet.id, description: 'ID of the virtual network' });
    new TerraformOutput(this, 'control_plane_subnet_id', { value: n.controlPlaneSubnet.id, description: 'ID of the control plane subnet' });
    new TerraformOutput(this, 'worker_node_subnet_id', { value: n.workerNodeSubnet.id, description: 'ID of the worker node subnet' });
    new TerraformOutput(this, 'networking_resource_group_name', {
      value: n.resourceGroup.name,
      description: 'Name of the networking resource group',
    });
    new TerraformOutput(this, 'aks_nsg_id', { value: n.nsg.id, description: 'ID of the NSG for AKS' });
    new TerraformOutput(this, 'deploy_agent_subnet_id', {
      value: n.deployAgentSubnet.id,
      description: 'Where the Managed DevOps Pool of this environment injects its agents',
    });
    new TerraformOutput(this, 'deploy_agent_egress_ip', {
      value: n.deployAgentEgressIp.ipAddress,
      description: "The deploy agents' public egress address (authorized on the API server)",
    });
  }
}
