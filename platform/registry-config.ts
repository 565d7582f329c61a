import { InfraConfigError } from './infra-config-error';
import { PLATFORM_MODEL, validatePlatformModel, type PlatformModel } from './platform-model';

/**
 * The container registry every environment pulls the app image from. There is one, shared:
 * the pipeline builds an image once and promotes the same digest from dev to prod.
 */
export interface RegistryConfig {
  /** Globally unique; 5-50 letters and digits. @default "<GLOBAL_NAME_PREFIX>acr" */
  readonly name: string;
  /** @default "order-platform-shared-rg" */
  readonly resourceGroupName: string;
  /** @default "uksouth" (the environments' region) */
  readonly location: string;
  /** Days untagged manifests are kept before they are purged. @default 7 */
  readonly untaggedRetentionDays: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** `<name>.azurecr.io`: where images are pushed and pulled. */
export const loginServer = (config: RegistryConfig): string => `${config.name}.azurecr.io`;

export function validateRegistry(config: RegistryConfig): RegistryConfig {
  if (!/^[a-zA-Z0-9]{5,50}$/.test(config.name)) {
    throw new InfraConfigError('registry.name', config.name, 'must be 5-50 letters and digits (Azure Container Registry names allow no dashes)');
  }
  if (!Number.isInteger(config.untaggedRetentionDays) || config.untaggedRetentionDays < 1 || config.untaggedRetentionDays > 365) {
    throw new InfraConfigError('registry.untaggedRetentionDays', config.untaggedRetentionDays, 'must be a whole number of days from 1 to 365');
  }
  return config;
}

/**
 * The shared registry's settings, from the platform model (platform/shared.ts); its name
 * follows `GLOBAL_NAME_PREFIX` as the vaults and SQL servers do.
 */
export function registryConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  model: PlatformModel = PLATFORM_MODEL,
): RegistryConfig {
  const { shared } = validatePlatformModel(model);
  const prefix = (env.GLOBAL_NAME_PREFIX ?? shared.defaultGlobalNamePrefix).toLowerCase().replace(/[^a-z0-9]/g, '');
  return validateRegistry({
    name: `${prefix}acr`,
    resourceGroupName: shared.registry.resourceGroupName,
    location: shared.registry.location,
    untaggedRetentionDays: shared.registry.untaggedRetentionDays,
    tags: { project: 'order-platform', environment: 'shared', 'managed-by': 'cdktf' },
  });
}
