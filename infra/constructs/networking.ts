import { Construct } from 'constructs';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import type { NetworkingConfig } from '../config/environment-config';

export interface NetworkingProps {
  readonly config: NetworkingConfig;
  readonly location: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** NSG rule priorities: allows first, the explicit deny-all last. */
export const NSG_PRIORITIES = { apiServer: 1001, ssh: 1002, vnetInbound: 4000, azureLoadBalancer: 4001, denyAllInbound: 4096 } as const;

/**
 * The seed's networking module: resource group, VNet, control-plane and worker-node
 * subnets, and an NSG on every subnet that admits the API server port only from admin
 * CIDRs, SSH only when enabled and only from private ranges, and denies everything else.
 */
export class Networking extends Construct {
  public readonly resourceGroup: ResourceGroup;
  public readonly vnet: VirtualNetwork;
  public readonly controlPlaneSubnet: Subnet;
  public readonly workerNodeSubnet: Subnet;
  public readonly privateEndpointSubnet: Subnet;
  public readonly nsg: NetworkSecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkingProps) {
    super(scope, id);
    const { config, location } = props;
    const tags = { ...props.tags };

    this.resourceGroup = new ResourceGroup(this, 'resource-group', { name: config.resourceGroupName, location, tags });
    const rg = this.resourceGroup.name;
    this.vnet = new VirtualNetwork(this, 'vnet', { name: config.vnetName, location, resourceGroupName: rg, addressSpace: [...config.vnetAddressSpace], tags });

    const subnet = (id: string, name: string, cidr: string): Subnet =>
      new Subnet(this, id, {
        name,
        resourceGroupName: rg,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [cidr],
        // Egress goes through the cluster's outbound path, never implicit default access.
        defaultOutboundAccessEnabled: false,
        serviceEndpoints: ['Microsoft.KeyVault', 'Microsoft.Sql'],
      });
    this.controlPlaneSubnet = subnet('control-plane-subnet', 'control-plane-subnet', config.controlPlaneSubnetCidr);
    this.workerNodeSubnet = subnet('worker-node-subnet', 'worker-node-subnet', config.workerNodeSubnetCidr);
    this.privateEndpointSubnet = subnet('private-endpoint-subnet', 'private-endpoint-subnet', config.privateEndpointSubnetCidr);

    this.nsg = new NetworkSecurityGroup(this, 'nsg', { name: config.nsgName, location, resourceGroupName: rg, tags });
    const rule = (id: string, props: { priority: number; access: 'Allow' | 'Deny'; protocol: string; port: string; sources: readonly string[] | string; description: string }): void => {
      new NetworkSecurityRule(this, id, {
        name: id,
        description: props.description,
        priority: props.priority,
        direction: 'Inbound',
        access: props.access,
        protocol: props.protocol,
        sourcePortRange: '*',
        destinationPortRange: props.port,
        ...(typeof props.sources === 'string' ? { sourceAddressPrefix: props.sources } : { sourceAddressPrefixes: [...props.sources] }),
        destinationAddressPrefix: 'VirtualNetwork',
        resourceGroupName: rg,
        networkSecurityGroupName: this.nsg.name,
      });
    };
    rule('kube-apiserver-rule', { priority: NSG_PRIORITIES.apiServer, access: 'Allow', protocol: 'Tcp', port: '443', sources: config.adminCidrs, description: 'Kubernetes API server from the admin CIDRs only' });
    if (config.sshSourceCidrs.length > 0) {
      rule('ssh-rule', { priority: NSG_PRIORITIES.ssh, access: 'Allow', protocol: 'Tcp', port: '22', sources: config.sshSourceCidrs, description: 'SSH from private admin ranges (bastion/VPN) only' });
    }
    // The explicit deny below overrides Azure's default AllowVnetInBound and
    // AllowAzureLoadBalancerInBound rules, which node-to-node traffic and load-balancer
    // health probes need: restate them, above the deny.
    rule('allow-vnet-inbound', { priority: NSG_PRIORITIES.vnetInbound, access: 'Allow', protocol: '*', port: '*', sources: 'VirtualNetwork', description: 'Traffic inside the VNet (nodes, pods, private endpoints)' });
    rule('allow-azure-load-balancer', { priority: NSG_PRIORITIES.azureLoadBalancer, access: 'Allow', protocol: '*', port: '*', sources: 'AzureLoadBalancer', description: 'Azure load balancer health probes' });
    rule('deny-all-inbound', { priority: NSG_PRIORITIES.denyAllInbound, access: 'Deny', protocol: '*', port: '*', sources: '*', description: 'Explicit deny of all other inbound traffic' });

    for (const [id, s] of [['control-plane-nsg', this.controlPlaneSubnet], ['worker-node-nsg', this.workerNodeSubnet], ['private-endpoint-nsg', this.privateEndpointSubnet]] as const) {
      new SubnetNetworkSecurityGroupAssociation(this, id, { subnetId: s.id, networkSecurityGroupId: this.nsg.id });
    }
  }
}
