import { Construct } from 'constructs';
import { ContainerRegistry as AzureContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { RegistryConfig } from '../../platform/registry-config';

export interface ContainerRegistryProps {
  /** Name, resource group, region and retention of untagged manifests of the registry. */
  readonly config: RegistryConfig;
}

/**
 * The shared Azure Container Registry: Premium (zone redundant, dedicated data endpoints,
 * retention of untagged manifests), no admin user and no anonymous pull; clusters pull with
 * their kubelet identity (AcrPull), the pipeline pushes through its service connection.
 */
export class ContainerRegistry extends Construct {
  public readonly resourceGroup: ResourceGroup;
  public readonly registry: AzureContainerRegistry;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const { config } = props;
    this.resourceGroup = new ResourceGroup(this, 'resource-group', { name: config.resourceGroupName, location: config.location });
    this.registry = new AzureContainerRegistry(this, 'registry', {
      name: config.name,
      resourceGroupName: this.resourceGroup.name,
      location: config.location,
      sku: 'Premium',
      adminEnabled: false,
      anonymousPullEnabled: false,
      // Hosted pipeline agents push over the public endpoint; pulls come from the clusters.
      publicNetworkAccessEnabled: true,
      dataEndpointEnabled: true,
      zoneRedundancyEnabled: true,
      retentionPolicyInDays: config.untaggedRetentionDays,
      exportPolicyEnabled: true,
    });
  }
}
