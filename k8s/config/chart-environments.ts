import { environments as platformEnvironments } from '../../platform/environment-config';
import type { PlatformModel } from '../../platform/platform-model';
import { loginServer, registryConfig } from '../../platform/registry-config';
import { AppContract } from '../../app/src/app-contract';
import { K8sConfigError, parseImageReference, validateChartConfig, type OrderAppChartConfig } from './chart-config';

/** The client id used when no infra outputs are given: the manifest synthesizes but cannot sign in to Azure. */
export const PLACEHOLDER_CLIENT_ID = '00000000-0000-0000-0000-000000000000';

/** Default image tag when neither `APP_IMAGE` nor the pipeline sets one; the deploy step substitutes the built tag. */
export const DEFAULT_IMAGE_TAG = '0.1.0';

/** The platform stack's outputs this chart needs, per environment. */
export interface PlatformOutputs {
  readonly keyVaultUrl: string;
  readonly appIdentityClientId: string;
}

/**
 * Reads the platform stack's outputs from the JSON `cdktf output --outputs-file` writes:
 * `{ "platform-<env>": { "key_vault_url": "...", "app_identity_client_id": "..." } }`.
 * Throws `K8sConfigError` naming the missing stack or output.
 */
export function platformOutputsFrom(json: unknown, environment: string, source = 'infra outputs'): PlatformOutputs {
  const stackName = `platform-${environment}`;
  if (typeof json !== 'object' || json === null) throw new K8sConfigError(`${source} must be the JSON object cdktf output --outputs-file writes.`);
  const stack = (json as Record<string, unknown>)[stackName];
  if (typeof stack !== 'object' || stack === null) {
    throw new K8sConfigError(
      `${source} has no outputs for stack "${stackName}"; run: npm run tf -- outputs --env ${environment} ` +
        `(or npx cdktf output ${stackName} --outputs-file <file>).`,
    );
  }
  const read = (key: string): string => {
    const value = (stack as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value === '') throw new K8sConfigError(`${source}: stack "${stackName}" has no string output "${key}".`);
    return value;
  };
  return { keyVaultUrl: read('key_vault_url'), appIdentityClientId: read('app_identity_client_id') };
}

/** Inputs that come from outside the repo: the environment and, for a deploy, the infra outputs. */
export interface ChartEnvironmentInputs {
  /**
   * `APP_IMAGE` (registry/name:tag) overrides the image for every environment;
   * `IMAGE_REPOSITORY` only the registry/name part. The infra variables (`GLOBAL_NAME_PREFIX`,
   * `PUBLIC_HOST_<ENV>`, `INTERNAL_CLIENT_CIDRS`, ...) are read as `infra/` reads them: a
   * public environment gets the HTTPS ingress (certificate `TLS_CERTIFICATE_NAME`, default
   * orders-tls); `OIDC_ISSUER_URL` with `OIDC_CLIENT_ID_<ENV>` turns sign-in on, and
   * `ALLOW_ANONYMOUS_PUBLIC_ACCESS_<ENV>=true` acknowledges a public environment without it.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Parsed `cdktf output --outputs-file` JSON; without it the client id is `PLACEHOLDER_CLIENT_ID`. */
  readonly infraOutputs?: unknown;
  /** Build only this environment (the others' infra outputs are then not needed). */
  readonly only?: string;
  /** Overrides applied to every environment after the defaults (tests, one-off synths). */
  readonly overrides?: Partial<OrderAppChartConfig>;
  /** The platform model to follow. @default PLATFORM_MODEL (platform/<env>.ts) */
  readonly model?: PlatformModel;
  /**
   * Refuse an image without a digest (`registry/name@sha256:...`): what a deploy passes, so the
   * manifest names exactly the image the pipeline pushed and scanned. @default false
   */
  readonly requireImageDigest?: boolean;
}

/** The app's repository in the shared registry the `registry` stack creates (or `IMAGE_REPOSITORY`). */
export function defaultImageRepository(env: Readonly<Record<string, string | undefined>>, model?: PlatformModel): string {
  return env.IMAGE_REPOSITORY ?? `${loginServer(registryConfig(env, model))}/${AppContract.appName}`;
}

/**
 * The chart config of each environment of the platform model, validated: sizes from its
 * `workload`, exposure and addresses as `infra/` resolves them.
 */
export function chartEnvironments(inputs: ChartEnvironmentInputs = {}): OrderAppChartConfig[] {
  const env = inputs.env ?? process.env;
  let selected = platformEnvironments(env, inputs.model);
  if (inputs.only !== undefined) {
    const names = selected.map((e) => e.name);
    selected = selected.filter((e) => e.name === inputs.only);
    if (selected.length === 0) throw new K8sConfigError(`--env must be one of ${names.join(', ')}; got ${JSON.stringify(inputs.only)}.`);
  }
  return selected.map((infra) => {
    const outputs: PlatformOutputs =
      inputs.infraOutputs === undefined
        ? { keyVaultUrl: `https://${infra.data.keyVaultName}.vault.azure.net/`, appIdentityClientId: PLACEHOLDER_CLIENT_ID }
        : platformOutputsFrom(inputs.infraOutputs, infra.name);
    const suffix = infra.name.toUpperCase();
    const publicHost = infra.exposure.publicHost;
    const oidcClientId = env[`OIDC_CLIENT_ID_${suffix}`];
    const config: OrderAppChartConfig = {
      environment: infra.name,
      image: env.APP_IMAGE ?? `${defaultImageRepository(env, inputs.model)}:${DEFAULT_IMAGE_TAG}`,
      replicas: infra.workload.replicas,
      maxReplicas: infra.workload.maxReplicas,
      targetCpuUtilizationPercent: 70,
      exposure: infra.exposure.mode,
      ...(publicHost ? { ingress: { host: publicHost, certificateName: env.TLS_CERTIFICATE_NAME ?? 'orders-tls' } } : {}),
      signIn: oidcClientId
        ? { mode: 'oidc', issuerUrl: env.OIDC_ISSUER_URL ?? '', clientId: oidcClientId }
        : { mode: 'none', allowAnonymousPublicAccess: env[`ALLOW_ANONYMOUS_PUBLIC_ACCESS_${suffix}`] === 'true' },
      internalClientCidrs: infra.exposure.internalClientCidrs,
      resources: infra.workload.resources,
      keyVaultUrl: outputs.keyVaultUrl,
      appIdentityClientId: outputs.appIdentityClientId,
      privateEndpointCidrs: [infra.networking.privateEndpointSubnetCidr],
      logLevel: 'info',
      ...inputs.overrides,
    };
    if (inputs.requireImageDigest) parseImageReference(config.image, `k8s config "${infra.name}": image`, true);
    return validateChartConfig(config);
  });
}
