import { Construct } from 'constructs';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { OVERLAY_NETWORK, type ExposureConfig, type NetworkingConfig } from '../../platform/environment-config';

export interface NetworkingProps {
  /** The environment's address plan, NSG name and admin ranges. */
  readonly config: NetworkingConfig;
  /** How the app is reached; `public` opens HTTP(S) from the Internet to the ingress load balancer. */
  readonly exposure: ExposureConfig;
  /** Azure region of every resource. */
  readonly location: string;
}

/** NSG rule priorities: allows first, the explicit deny-all last. */
export const NSG_PRIORITIES = {
  ssh: 1002,
  internetWeb: 1010,
  clusterOverlay: 3990,
  vnetInbound: 4000,
  azureLoadBalancer: 4001,
  denyAllInbound: 4096,
} as const;

/** The service Managed DevOps Pools inject their agents through. */
export const MANAGED_DEVOPS_POOL_DELEGATION = 'Microsoft.DevOpsInfrastructure/pools';

/**
 * The seed's networking module: resource group, VNet, control-plane and worker-node subnets,
 * plus a private-endpoint subnet and a deploy-agent subnet with a NAT gateway (a fixed egress
 * address the API server admits). One NSG on every subnet: HTTP(S) from the Internet only
 * when the app is public, SSH only when enabled and only from private ranges, the VNet and
 * load-balancer probes, and an explicit deny of everything else.
 */
export class Networking extends Construct {
  public readonly resourceGroup: ResourceGroup;
  public readonly vnet: VirtualNetwork;
  public readonly controlPlaneSubnet: Subnet;
  public readonly workerNodeSubnet: Subnet;
  public readonly privateEndpointSubnet: Subnet;
  public readonly deployAgentSubnet: Subnet;
  /** The deploy agents' egress address (NAT gateway). */
  public readonly deployAgentEgressIp: PublicIp;
  public readonly nsg: NetworkSecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkingProps) {
    super(scope, id);
    const { config, location, exposure } = props;

    this.resourceGroup = new ResourceGroup(this, 'resource-group', { name: config.resourceGroupName, location });
    const rg = this.resourceGroup.name;
    this.vnet = new VirtualNetwork(this, 'vnet', {
      name: config.vnetName,
      location,
      resourceGroupName: rg,
      addressSpace: [...config.vnetAddressSpace],
    });

    const subnet = (id: string, cidr: string, extra: Partial<ConstructorParameters<typeof Subnet>[2]> = {}): Subnet =>
      new Subnet(this, id, {
        name: id,
        resourceGroupName: rg,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [cidr],
        // Egress goes through the cluster's load balancer or the NAT gateway, never implicit default access.
        defaultOutboundAccessEnabled: false,
        ...extra,
      });
    this.controlPlaneSubnet = subnet('control-plane-subnet', config.controlPlaneSubnetCidr);
    this.workerNodeSubnet = subnet('worker-node-subnet', config.workerNodeSubnetCidr);
    // NSG rules apply to private endpoints only when network policies are enabled on their subnet.
    this.privateEndpointSubnet = subnet('private-endpoint-subnet', config.privateEndpointSubnetCidr, { privateEndpointNetworkPolicies: 'Enabled' });
    this.deployAgentSubnet = subnet('deploy-agent-subnet', config.deployAgentSubnetCidr, {
      delegation: [
        {
          name: 'managed-devops-pool',
          serviceDelegation: { name: MANAGED_DEVOPS_POOL_DELEGATION, actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] },
        },
      ],
    });

    // A fixed egress address for the deploy agents: the API server's authorized ranges name it.
    this.deployAgentEgressIp = new PublicIp(this, 'deploy-agent-egress-ip', {
      name: `${config.vnetName}-deploy-agent-egress`,
      location,
      resourceGroupName: rg,
      allocationMethod: 'Static',
      sku: 'Standard',
    });
    const nat = new NatGateway(this, 'deploy-agent-nat', {
      name: `${config.vnetName}-deploy-agent-nat`,
      location,
      resourceGroupName: rg,
      skuName: 'Standard',
      idleTimeoutInMinutes: 10,
    });
    new NatGatewayPublicIpAssociation(this, 'deploy-agent-nat-ip', { natGatewayId: nat.id, publicIpAddressId: this.deployAgentEgressIp.id });
    new SubnetNatGatewayAssociation(this, 'deploy-agent-subnet-nat', { subnetId: this.deployAgentSubnet.id, natGatewayId: nat.id });

    this.nsg = new NetworkSecurityGroup(this, 'nsg', { name: config.nsgName, location, resourceGroupName: rg });
    interface RuleProps {
      readonly priority: number;
      readonly access: 'Allow' | 'Deny';
      readonly protocol: string;
      readonly ports: readonly string[];
      readonly sources: readonly string[] | string;
      /** @default "VirtualNetwork" */
      readonly destinations?: readonly string[] | string;
      readonly description: string;
      /** @default "Inbound" */
      readonly direction?: 'Inbound' | 'Outbound';
    }
    const rule = (id: string, r: RuleProps): void => {
      const destinations = r.destinations ?? 'VirtualNetwork';
      new NetworkSecurityRule(this, id, {
        name: id,
        description: r.description,
        priority: r.priority,
        direction: r.direction ?? 'Inbound',
        access: r.access,
        protocol: r.protocol,
        sourcePortRange: '*',
        ...(r.ports.length === 1 ? { destinationPortRange: r.ports[0] } : { destinationPortRanges: [...r.ports] }),
        ...(typeof r.sources === 'string' ? { sourceAddressPrefix: r.sources } : { sourceAddressPrefixes: [...r.sources] }),
        ...(typeof destinations === 'string' ? { destinationAddressPrefix: destinations } : { destinationAddressPrefixes: [...destinations] }),
        resourceGroupName: rg,
        networkSecurityGroupName: this.nsg.name,
      });
    };
    if (config.sshSourceCidrs.length > 0) {
      rule('ssh-rule', {
        priority: NSG_PRIORITIES.ssh,
        access: 'Allow',
        protocol: 'Tcp',
        ports: ['22'],
        sources: config.sshSourceCidrs,
        description: 'SSH from private admin ranges (bastion/VPN) only',
      });
    }
    if (exposure.mode === 'public') {
      // Only public load balancer frontends are reachable from the Internet, and the only public
      // Service is the application routing add-on's NGINX (the app's own Service is ClusterIP).
      rule('allow-internet-web-ingress', {
        priority: NSG_PRIORITIES.internetWeb,
        access: 'Allow',
        protocol: 'Tcp',
        ports: ['80', '443'],
        sources: 'Internet',
        // With floating IP (AKS's default for LoadBalancer Services) the destination is the load
        // balancer's frontend address, which AKS assigns at run time: only "*" matches it here.
        destinations: '*',
        description: 'HTTPS (and HTTP, redirected to HTTPS) from the Internet to the ingress load balancer',
      });
    }
    // Azure CNI Overlay does not encapsulate pod traffic between nodes, so this subnet NSG sees
    // pod addresses, which are outside the VNet: nodes and pods must reach pods explicitly
    // (service routing, pod to pod, DNS), as Microsoft's Overlay documentation requires.
    // Both directions, so the result does not hang on whether Azure counts the overlay range
    // as VirtualNetwork in its default rules.
    for (const direction of ['Inbound', 'Outbound'] as const) {
      rule(direction === 'Inbound' ? 'allow-cluster-overlay' : 'allow-cluster-overlay-out', {
        priority: NSG_PRIORITIES.clusterOverlay,
        direction,
        access: 'Allow',
        protocol: '*',
        ports: ['*'],
        sources: [config.workerNodeSubnetCidr, OVERLAY_NETWORK.podCidr],
        destinations: [OVERLAY_NETWORK.podCidr],
        description: `Nodes and pods to pods across nodes, ${direction.toLowerCase()} (Azure CNI Overlay: pod traffic is not encapsulated)`,
      });
    }
    // The explicit deny below overrides Azure's default AllowVnetInBound and
    // AllowAzureLoadBalancerInBound rules, which node-to-node traffic and load-balancer
    // health probes need: restate them, above the deny.
    rule('allow-vnet-inbound', {
      priority: NSG_PRIORITIES.vnetInbound,
      access: 'Allow',
      protocol: '*',
      ports: ['*'],
      sources: 'VirtualNetwork',
      description: 'Traffic inside the VNet (nodes, internal load balancer clients, private endpoints, deploy agents)',
    });
    rule('allow-azure-load-balancer', {
      priority: NSG_PRIORITIES.azureLoadBalancer,
      access: 'Allow',
      protocol: '*',
      ports: ['*'],
      sources: 'AzureLoadBalancer',
      description: 'Azure load balancer health probes',
    });
    rule('deny-all-inbound', {
      priority: NSG_PRIORITIES.denyAllInbound,
      access: 'Deny',
      protocol: '*',
      ports: ['*'],
      sources: '*',
      destinations: '*',
      description: 'Explicit deny of all other inbound traffic',
    });

    const associations = [
      ['control-plane-nsg', this.controlPlaneSubnet],
      ['worker-node-nsg', this.workerNodeSubnet],
      ['private-endpoint-nsg', this.privateEndpointSubnet],
      ['deploy-agent-nsg', this.deployAgentSubnet],
    ] as const;
    for (const [id, s] of associations) new SubnetNetworkSecurityGroupAssociation(this, id, { subnetId: s.id, networkSecurityGroupId: this.nsg.id });
  }
}
