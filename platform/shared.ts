import type { SharedSpec } from './environment-spec';

/** What every environment shares: the default global name prefix and the one container registry. */
export const shared: SharedSpec = {
  defaultGlobalNamePrefix: 'orderplat',
  // One registry: the pipeline builds an image once and promotes the same digest from dev to prod.
  registry: { resourceGroupName: 'order-platform-shared-rg', location: 'uksouth', untaggedRetentionDays: 7 },
};
