import { isPrivate, parseCidr } from '../../platform/cidr';
import type { WorkloadResources } from '../../platform/environment-config';
import { GUID } from '../../platform/guid';

/**
 * How the Service is reached.
 * - `clusterip`: inside the cluster only (`kubectl port-forward` for people).
 * - `internal`: an Azure internal LoadBalancer, reachable from the VNet and peered networks
 *   (users inside the organisation, as the seed's distribution section describes).
 * - `public`: from the Internet, only over HTTPS through the application routing ingress
 *   (never a plain-HTTP LoadBalancer); needs `ingress` and, unless acknowledged, sign-in.
 */
export type Exposure = 'clusterip' | 'internal' | 'public';
export const EXPOSURES: readonly Exposure[] = ['clusterip', 'internal', 'public'];

/** The public HTTPS entry (exposure `public`): the AKS application routing add-on's NGINX. */
export interface IngressConfig {
  /** Public host name, e.g. orders.example.com; its DNS record points at the add-on's public IP. */
  readonly host: string;
  /** The TLS certificate's name in the environment's Key Vault (referenced, never copied). @default "orders-tls" */
  readonly certificateName: string;
}

/** Sign-in for the app (see the app's OIDC settings). */
export type SignInConfig =
  | {
      readonly mode: 'none';
      /** Run publicly without sign-in anyway (the app refuses otherwise). @default false */
      readonly allowAnonymousPublicAccess?: boolean;
    }
  | {
      readonly mode: 'oidc';
      /** e.g. https://login.microsoftonline.com/<tenant id>/v2.0 */
      readonly issuerUrl: string;
      /** The Entra app registration's client id. */
      readonly clientId: string;
      /** @default "roles" */
      readonly roleClaim?: string;
    };

/** Container resources: the platform model's, per environment. */
export type ResourcesConfig = WorkloadResources;

/** Everything that differs between the environments' manifests. */
export interface OrderAppChartConfig {
  /** Environment name, used in labels. */
  readonly environment: string;
  /** `registry/name:tag`, `registry/name@sha256:...` or both; never without a tag or digest and never `latest`. */
  readonly image: string;
  /** Replicas when idle: the HPA's minimum. At least 2, so a rollout or a node drain never leaves zero pods. */
  readonly replicas: number;
  /** The HPA's maximum. */
  readonly maxReplicas: number;
  /** The HPA scales out above this average CPU use, in percent of the request. @default 70 */
  readonly targetCpuUtilizationPercent: number;
  /** @default "clusterip" */
  readonly exposure: Exposure;
  /** Required with exposure `public`, refused otherwise. */
  readonly ingress?: IngressConfig;
  /** @default { mode: 'none' } */
  readonly signIn: SignInConfig;
  /**
   * Private client ranges admitted with exposure `internal`: the load balancer's source
   * ranges and the NetworkPolicy's ipBlocks (the load balancer keeps the client address).
   * @default the infra config's `exposure.internalClientCidrs`
   */
  readonly internalClientCidrs: readonly string[];
  readonly resources: ResourcesConfig;
  /** The platform stack's `key_vault_url` output. */
  readonly keyVaultUrl: string;
  /** The platform stack's `app_identity_client_id` output (workload identity). */
  readonly appIdentityClientId: string;
  /**
   * Where the private endpoints of Key Vault and Azure SQL live (the network stack's
   * private-endpoint subnet): the only private addresses the app may reach.
   */
  readonly privateEndpointCidrs: readonly string[];
  /** @default "info" */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

/** A manifest setting has a value the chart cannot use; the message names it, the value and the rule. */
export class K8sConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'K8sConfigError';
  }
}

/** The pieces of an image reference: a tag, a digest, or both. */
export interface ImageReference {
  readonly registry: string;
  readonly repository: string;
  /** The tag, when the reference names one. */
  readonly tag?: string;
  /** `sha256:<64 hex>`, when the reference pins the image by digest. */
  readonly digest?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE = new RegExp(
  `^(?<registry>(?:[a-zA-Z0-9-]+\\.)+[a-zA-Z0-9-]+(?::\\d+)?|localhost(?::\\d+)?|[a-zA-Z0-9-]+:\\d+)` +
    `/(?<repository>${COMPONENT}(?:/${COMPONENT})*)` +
    `(?::(?<tag>[\\w][\\w.-]{0,127}))?` +
    `(?:@(?<digest>sha256:[a-f0-9]{64}))?$`,
);

/**
 * Parses `registry/name:tag`, `registry/name@sha256:<digest>` or both; throws `K8sConfigError`
 * naming `setting` when the reference is unusable. With `requireDigest`, a reference without a
 * digest is refused: a tag can be pushed again, a digest always names the same image.
 */
export function parseImageReference(image: string, setting = 'image', requireDigest = false): ImageReference {
  const m = IMAGE.exec(image);
  if (!m?.groups) {
    throw new K8sConfigError(
      `${setting} must be registry/name:tag or registry/name@sha256:<digest>, ` +
        `e.g. myregistry.azurecr.io/order-app:20261125.1-3f2a9c1; got ${JSON.stringify(image)}.`,
    );
  }
  const { registry, repository, tag, digest } = m.groups as { registry: string; repository: string; tag?: string; digest?: string };
  if (requireDigest && digest === undefined) {
    throw new K8sConfigError(
      `${setting} must pin the image by digest (registry/name@sha256:<64 hex digits>, as the push reported it); got ${JSON.stringify(image)}.`,
    );
  }
  if (tag === undefined && digest === undefined) {
    throw new K8sConfigError(
      `${setting} must name a tag or a digest (registry/name:tag or registry/name@sha256:...) so every rollout is reproducible; ` +
        `got ${JSON.stringify(image)}.`,
    );
  }
  if (tag === 'latest') {
    throw new K8sConfigError(`${setting} must not use the tag "latest" (it moves, so a restart can run other code); got ${JSON.stringify(image)}.`);
  }
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

const KEY_VAULT_URL = /^https:\/\/[a-zA-Z0-9-]{3,24}\.vault\.(?:azure\.net|azure\.cn|usgovcloudapi\.net)\/?$/;

function wholeNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new K8sConfigError(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
}

/** Checks every setting; returns the config unchanged or throws `K8sConfigError` naming the first wrong one. */
export function validateChartConfig(config: OrderAppChartConfig): OrderAppChartConfig {
  const at = (name: string): string => `k8s config "${config.environment}": ${name}`;
  if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(config.environment)) {
    throw new K8sConfigError(`environment must be a DNS label (lower-case letters, digits, dashes); got ${JSON.stringify(config.environment)}.`);
  }
  parseImageReference(config.image, at('image'));
  wholeNumber(at('replicas'), config.replicas, 2, 100);
  wholeNumber(at('maxReplicas'), config.maxReplicas, config.replicas, 100);
  wholeNumber(at('targetCpuUtilizationPercent'), config.targetCpuUtilizationPercent, 10, 95);
  if (!(EXPOSURES as readonly string[]).includes(config.exposure)) {
    throw new K8sConfigError(`${at('exposure')} must be one of ${EXPOSURES.join(', ')}; got ${JSON.stringify(config.exposure)}.`);
  }
  if (config.exposure === 'internal' && config.internalClientCidrs.length === 0) {
    throw new K8sConfigError(
      `${at('internalClientCidrs')} must name at least one private CIDR with exposure "internal" (who may reach the internal LoadBalancer).`,
    );
  }
  for (const range of config.internalClientCidrs) {
    const parsed = parseCidr(range);
    if (!parsed || !isPrivate(parsed))
      throw new K8sConfigError(`${at('internalClientCidrs')} must hold private IPv4 CIDRs such as 10.50.0.0/16; got ${JSON.stringify(range)}.`);
  }
  if (config.exposure === 'public') {
    if (!config.ingress) throw new K8sConfigError(`${at('ingress')} is required with exposure "public" (host and Key Vault certificate name).`);
    if (!/^(?=.{4,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(config.ingress.host)) {
      throw new K8sConfigError(`${at('ingress.host')} must be a DNS name such as orders.example.com; got ${JSON.stringify(config.ingress.host)}.`);
    }
    if (!/^[A-Za-z0-9-]{1,127}$/.test(config.ingress.certificateName)) {
      throw new K8sConfigError(
        `${at('ingress.certificateName')} must be a Key Vault certificate name ` +
          `(1-127 letters, digits, dashes); got ${JSON.stringify(config.ingress.certificateName)}.`,
      );
    }
    if (config.signIn.mode === 'none' && !config.signIn.allowAnonymousPublicAccess) {
      throw new K8sConfigError(
        `${at('signIn')}: exposure "public" needs sign-in: ` +
          `set OIDC_ISSUER_URL and OIDC_CLIENT_ID_${config.environment.toUpperCase()} (mode "oidc"), ` +
          `or ALLOW_ANONYMOUS_PUBLIC_ACCESS_${config.environment.toUpperCase()}=true (allowAnonymousPublicAccess) ` +
          `to run publicly without it knowingly.`,
      );
    }
  } else if (config.ingress) {
    throw new K8sConfigError(`${at('ingress')} only applies to exposure "public"; exposure is "${config.exposure}".`);
  }
  if (config.signIn.mode === 'oidc') {
    if (config.exposure !== 'public')
      throw new K8sConfigError(`${at('signIn')}: OIDC sign-in needs exposure "public" (an HTTPS redirect URI); exposure is "${config.exposure}".`);
    if (!/^https:\/\/[^\s/]+\/.*$/.test(config.signIn.issuerUrl))
      throw new K8sConfigError(
        `${at('signIn.issuerUrl')} must be an https URL such as https://login.microsoftonline.com/<tenant>/v2.0 (OIDC_ISSUER_URL); ` +
          `got ${JSON.stringify(config.signIn.issuerUrl)}.`,
      );
    if (!config.signIn.clientId.trim()) throw new K8sConfigError(`${at('signIn.clientId')} must be the app registration's client id.`);
  }
  const r = config.resources;
  wholeNumber(at('resources.cpuRequestMillis'), r.cpuRequestMillis, 10, 8000);
  wholeNumber(at('resources.cpuLimitMillis'), r.cpuLimitMillis, r.cpuRequestMillis, 8000);
  // Below 128 MiB a Node.js process with a connection pool is killed under load.
  wholeNumber(at('resources.memoryRequestMiB'), r.memoryRequestMiB, 128, 16384);
  wholeNumber(at('resources.memoryLimitMiB'), r.memoryLimitMiB, r.memoryRequestMiB, 16384);
  wholeNumber(at('resources.ephemeralStorageRequestMiB'), r.ephemeralStorageRequestMiB, 16, 10240);
  wholeNumber(at('resources.ephemeralStorageLimitMiB'), r.ephemeralStorageLimitMiB, r.ephemeralStorageRequestMiB, 10240);
  if (!KEY_VAULT_URL.test(config.keyVaultUrl)) {
    throw new K8sConfigError(
      `${at('keyVaultUrl')} must be a Key Vault URL such as https://my-vault.vault.azure.net/; got ${JSON.stringify(config.keyVaultUrl)}.`,
    );
  }
  if (!GUID.test(config.appIdentityClientId)) {
    throw new K8sConfigError(
      `${at('appIdentityClientId')} must be the app identity's client id (a GUID, ` +
        `the platform stack's app_identity_client_id output); got ${JSON.stringify(config.appIdentityClientId)}.`,
    );
  }
  if (config.privateEndpointCidrs.length === 0)
    throw new K8sConfigError(`${at('privateEndpointCidrs')} must name at least one CIDR (the private-endpoint subnet).`);
  for (const cidr of config.privateEndpointCidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed || !isPrivate(parsed) || parsed.prefix < 16)
      throw new K8sConfigError(`${at('privateEndpointCidrs')} must hold private IPv4 CIDRs of /16 or narrower; got ${JSON.stringify(cidr)}.`);
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace'].includes(config.logLevel)) {
    throw new K8sConfigError(`${at('logLevel')} must be one of fatal, error, warn, info, debug, trace; got ${JSON.stringify(config.logLevel)}.`);
  }
  return config;
}
