import { AppContract } from '../app/src/app-contract';
import {
  DEFAULT_ALERT_THRESHOLDS,
  MonitoringConfigError,
  validateAlertEmails,
  validateAlertThresholds,
  type AlertThresholds,
} from './alert-settings';
import { addressAt, contains, isPrivate, overlaps, parseCidr, type Cidr } from './cidr';
import { GUID } from './guid';
import { InfraConfigError } from './infra-config-error';
import { PLATFORM_MODEL, validatePlatformModel, type PlatformModel } from './platform-model';
import type { EnvironmentSpec } from './environment-spec';

export { InfraConfigError } from './infra-config-error';

/** Settings of one environment's networking (the seed's networking module). */
export interface NetworkingConfig {
  /** Resource group for the network. From the platform model (platform/<env>.ts; prod keeps the seed's "networking-rg"). */
  readonly resourceGroupName: string;
  /** @default "aks-vnet" */
  readonly vnetName: string;
  /**
   * The VNet's address space. Environments must not overlap each other (a corporate network
   * or deploy network peered with several of them routes by address) nor the overlay ranges.
   * @default the platform model's (platform/<env>.ts); `VNET_ADDRESS_SPACE_<ENV>`
   */
  readonly vnetAddressSpace: readonly string[];
  /** @default the VNet's 2nd /24, e.g. "10.10.1.0/24" */
  readonly controlPlaneSubnetCidr: string;
  /** Nodes of both pools and the internal load balancer's frontend. @default the VNet's 3rd /24 */
  readonly workerNodeSubnetCidr: string;
  /** Private endpoints of Azure SQL and Key Vault. @default the VNet's 4th /24 */
  readonly privateEndpointSubnetCidr: string;
  /**
   * The deploy agents (a Managed DevOps Pool injected into this subnet): they reach the
   * private endpoints from inside the VNet and the API server through the subnet's NAT
   * gateway, whose address is added to the API server's authorized ranges.
   * @default the VNet's 5th /24
   */
  readonly deployAgentSubnetCidr: string;
  /** @default "aks-nsg" */
  readonly nsgName: string;
  /**
   * Public addresses of the people who administer the cluster: the API server's authorized
   * ranges (the API server is outside the VNet; the deploy agents' NAT address is added to
   * them automatically). Never 0.0.0.0/0 or "*". From `ADMIN_CIDRS`.
   * @default ["203.0.113.0/28"] (a documentation range that reaches nothing)
   */
  readonly adminCidrs: readonly string[];
  /**
   * Source CIDRs allowed to SSH (TCP 22) into the nodes; empty disables SSH entirely.
   * Private ranges only (a bastion or VPN), never the Internet. @default []
   */
  readonly sshSourceCidrs: readonly string[];
}

/** One AKS node pool. */
export interface NodePoolConfig {
  /** @default "Standard_D4ds_v5" */
  readonly vmSize: string;
  readonly minCount: number;
  readonly maxCount: number;
  /** Pods per node; at least 50 (CKV_AZURE_168). @default 50 */
  readonly maxPods: number;
}

/** The AKS cluster (the seed's cluster module). */
export interface ClusterConfig {
  /** From the platform model (platform/<env>.ts; prod keeps the seed's "terraform-aks-cluster"). */
  readonly name: string;
  /** From the platform model (platform/<env>.ts; prod keeps the seed's "myaks-project"). */
  readonly dnsPrefix: string;
  /** Kubernetes minor version, e.g. "1.33"; must be one AKS still supports. */
  readonly kubernetesVersion: string;
  /** Availability zones for both pools. @default ["1", "2", "3"] */
  readonly zones: readonly string[];
  /** Kept for critical add-ons only. */
  readonly systemPool: NodePoolConfig;
  /** Autoscaling pool for workloads, in worker-node-subnet. */
  readonly userPool: NodePoolConfig;
}

/** Log Analytics workspace (the monitoring/ construct). */
export interface MonitoringConfig {
  /** @default 90 (SQL audit records are kept here) */
  readonly retentionDays: number;
  /** Daily ingestion cap in GB; -1 for none. @default the platform model's (platform/<env>.ts) */
  readonly dailyQuotaGb: number;
  /** Who the alerts e-mail (the action group); from `ALERT_EMAILS`. */
  readonly alertEmails: readonly string[];
  /** Monthly cost budget of the resource group (billing currency); the alert recipients are e-mailed at 75% and 95%. */
  readonly monthlyBudget: number;
  /** What the alerts fire on. @default DEFAULT_ALERT_THRESHOLDS (the seed's 80 / 80 / 90 %) */
  readonly alerts: AlertThresholds;
}

/** An Entra group, referenced by object id; Azure SQL also needs its display name. */
export interface EntraGroup {
  /** The group's object id (a GUID). */
  readonly objectId: string;
  /** The group's display name: Azure SQL's Entra administrator login name. */
  readonly displayName: string;
}

/**
 * Who administers and who deploys. Both are configured principals, never "whoever ran the
 * last deploy", so a person running `cdktf deploy` after the pipeline changes nothing.
 */
export interface AccessConfig {
  /**
   * The platform administrators: AKS RBAC Cluster Admin, Key Vault Secrets and Certificates
   * Officer. From `ADMIN_GROUP_OBJECT_ID` and `ADMIN_GROUP_NAME`.
   * @default a placeholder that `npm run tf` and the preflight refuse
   */
  readonly adminGroup: EntraGroup;
  /**
   * Azure SQL's Entra administrator: a group of its own, so the pipeline can be a member (to
   * run `grant:sql`) without joining `adminGroup`, which would make it cluster-admin. From
   * `SQL_ADMIN_GROUP_OBJECT_ID` and `SQL_ADMIN_GROUP_NAME`.
   * @default a placeholder that `npm run tf` and the preflight refuse
   */
  readonly sqlAdminGroup: EntraGroup;
  /**
   * The object id of the pipeline's service principal (the service connection's identity):
   * writes the Key Vault secrets, creates the app's namespace and deploys into it. It must be
   * a member of `sqlAdminGroup` for `grant:sql`, and not of `adminGroup`. From
   * `DEPLOYER_OBJECT_ID`: the object id of the service principal (Entra "Enterprise
   * applications"), not of the app registration.
   * @default a placeholder that `npm run tf` and the preflight refuse
   */
  readonly deployerObjectId: string;
  /**
   * The setup window: one public address (a /32) that may reach Key Vault and Azure SQL over
   * their public endpoints while `npm run up -- --setup-access` writes the secrets and the
   * app's database user from a machine outside the VNet; `up` applies the platform again
   * without it at once. Never set in the pipeline. From `SETUP_ACCESS_CIDR`.
   * @default none: both reachable only through their private endpoints
   */
  readonly setupAccessCidr?: string;
}

/** How the app is reached (the manifests follow it). */
export type ExposureMode = 'clusterip' | 'internal' | 'public';

/** Where the shop staff come from. */
export interface ExposureConfig {
  /**
   * `clusterip`: inside the cluster only (`kubectl port-forward`); `internal`: an internal
   * load balancer in worker-node-subnet for networks peered or connected to the VNet;
   * `public`: HTTPS from the Internet through the application routing ingress.
   * @default the platform model's (platform/<env>.ts); "public" when `PUBLIC_HOST_<ENV>` is set
   */
  readonly mode: ExposureMode;
  /** The public host name (exposure `public`), e.g. orders.example.com; from `PUBLIC_HOST_<ENV>`. */
  readonly publicHost?: string;
  /**
   * Client addresses admitted to the internal load balancer (exposure `internal`): private
   * ranges of the networks the staff use. The load balancer keeps the client address, so
   * the NetworkPolicy admits exactly these. From `INTERNAL_CLIENT_CIDRS`.
   * Must not overlap the cluster's overlay ranges. @default ["10.0.0.0/8"]
   */
  readonly internalClientCidrs: readonly string[];
}

/** Key Vault and Azure SQL for the app. */
export interface DataConfig {
  /** Globally unique Key Vault name, 3-24 letters, digits and dashes. */
  readonly keyVaultName: string;
  /** Globally unique SQL logical server name. */
  readonly sqlServerName: string;
  /** @default "orders" */
  readonly databaseName: string;
  /** @default the platform model's (platform/<env>.ts) */
  readonly databaseSku: string;
  /** `entra`: the app's identity logs in without a password (default). `password`: a generated SQL login. */
  readonly sqlAuth: 'entra' | 'password';
  /** Days the SQL audit log is kept; at least 90 (CKV_AZURE_24). @default 90 */
  readonly auditRetentionDays: number;
  /** Days until the Key Vault secrets expire (they are rewritten on every deploy). @default 365 */
  readonly secretExpiryDays: number;
  /** Nobody can purge the deleted vault before its retention ends (CKV_AZURE_110). @default the platform model's */
  readonly keyVaultPurgeProtection: boolean;
  /** Days a deleted vault is kept (and its name reserved), 7-90. @default the platform model's */
  readonly keyVaultSoftDeleteRetentionDays: number;
}

/** The app's pods in one environment (the manifests follow it). */
export interface WorkloadConfig {
  /** Replicas when idle: the HPA's minimum. */
  readonly replicas: number;
  /** The HPA's maximum. */
  readonly maxReplicas: number;
  /** Container requests and limits. */
  readonly resources: WorkloadResources;
}

/** Container resources, sized for this app (a Node.js process serving HTML from a pool). */
export interface WorkloadResources {
  /** Scheduling request, in millicores. */
  readonly cpuRequestMillis: number;
  /** Throttling limit, in millicores. */
  readonly cpuLimitMillis: number;
  /** Scheduling request, in MiB. */
  readonly memoryRequestMiB: number;
  /** OOM limit, in MiB; the V8 heap is capped at 75 % of this. */
  readonly memoryLimitMiB: number;
  /** Logs and /tmp: request, in MiB. */
  readonly ephemeralStorageRequestMiB: number;
  /** Logs and /tmp: limit, in MiB. */
  readonly ephemeralStorageLimitMiB: number;
}

/** One deployment environment: its entry in the platform model, resolved with the deploy's variables. */
export interface EnvironmentConfig {
  /** The environment's name in the platform model (platform/<name>.ts). */
  readonly name: string;
  /** Azure region. @default "uksouth" (the seed's UK South) */
  readonly location: string;
  /** Tags put on every resource. */
  readonly tags: Readonly<Record<string, string>>;
  readonly networking: NetworkingConfig;
  readonly cluster: ClusterConfig;
  readonly monitoring: MonitoringConfig;
  readonly data: DataConfig;
  readonly access: AccessConfig;
  readonly exposure: ExposureConfig;
  readonly workload: WorkloadConfig;
}

/**
 * The oldest Kubernetes minor version AKS still supports in standard support, as of
 * 2026-12 (AKS keeps about three minors; 1.33 and 1.34 have left). Update it when AKS
 * retires a version; `npm run preflight` asks AKS which versions the region offers.
 */
export const OLDEST_SUPPORTED_KUBERNETES_MINOR = 35;

/** The default Kubernetes version: the newest minor in AKS's standard support as of 2026-12. */
export const DEFAULT_KUBERNETES_VERSION = '1.36';

/**
 * Stand in for Entra object ids that were not configured, one per principal so the two
 * stay distinct; `npm run tf` and the preflight refuse them.
 */
export const PLACEHOLDER_PRINCIPAL_IDS = {
  adminGroup: '00000000-0000-0000-0000-00000000000a',
  sqlAdminGroup: '00000000-0000-0000-0000-00000000000b',
  deployer: '00000000-0000-0000-0000-00000000000d',
} as const;

/** The admin range synth uses without `ADMIN_CIDRS`: a documentation range (RFC 5737) that reaches nothing. */
export const PLACEHOLDER_ADMIN_CIDR = '203.0.113.0/28';

/** The pod and service ranges of the overlay network (outside every VNet, never routed). */
export const OVERLAY_NETWORK = { podCidr: '192.168.0.0/16', serviceCidr: '172.16.0.0/16', dnsServiceIp: '172.16.0.10' } as const;

/**
 * The default internal clients: 10.0.0.0/8, the private range that does not hold the
 * cluster's overlay (pod and service) ranges; a client network over those would be routed
 * into the overlay.
 */
export const DEFAULT_INTERNAL_CLIENT_CIDRS = ['10.0.0.0/8'] as const;

/** The overlay range a block overlaps, as "podCidr 192.168.0.0/16"; undefined when none. */
function overlayOverlap(block: Cidr): string | undefined {
  const ranges = { podCidr: OVERLAY_NETWORK.podCidr, serviceCidr: OVERLAY_NETWORK.serviceCidr };
  const hit = Object.entries(ranges).find(([, range]) => overlaps(block, parseCidr(range)!));
  return hit ? `${hit[0]} ${hit[1]}` : undefined;
}

/**
 * Checks an environment's configuration; throws `InfraConfigError` on the first broken rule,
 * so a wrong setting fails synth instead of failing (or succeeding dangerously) in Azure.
 */
export function validateEnvironment(config: EnvironmentConfig): EnvironmentConfig {
  const n = config.networking;
  const at = (key: string): string => `${config.name}.networking.${key}`;
  const cidr = (key: string, value: string) => {
    const parsed = parseCidr(value);
    if (!parsed) throw new InfraConfigError(at(key), value, 'must be an IPv4 CIDR such as 10.0.1.0/24, with no host bits set');
    return parsed;
  };
  if (n.vnetAddressSpace.length === 0) throw new InfraConfigError(at('vnetAddressSpace'), n.vnetAddressSpace, 'must name at least one CIDR');
  const space = n.vnetAddressSpace.map((v, i) => cidr(`vnetAddressSpace[${i}]`, v));
  const vnetVariable = `VNET_ADDRESS_SPACE_${config.name.toUpperCase()}`;
  space.forEach((s, i) => {
    if (!isPrivate(s)) throw new InfraConfigError(at(`vnetAddressSpace[${i}]`), s.text, `must be a private range (RFC 1918) (${vnetVariable})`);
    const clash = overlayOverlap(s);
    if (clash) throw new InfraConfigError(at(`vnetAddressSpace[${i}]`), s.text, `must not overlap the cluster's overlay ${clash} (${vnetVariable})`);
  });
  const subnets = [
    ['controlPlaneSubnetCidr', cidr('controlPlaneSubnetCidr', n.controlPlaneSubnetCidr)],
    ['workerNodeSubnetCidr', cidr('workerNodeSubnetCidr', n.workerNodeSubnetCidr)],
    ['privateEndpointSubnetCidr', cidr('privateEndpointSubnetCidr', n.privateEndpointSubnetCidr)],
    ['deployAgentSubnetCidr', cidr('deployAgentSubnetCidr', n.deployAgentSubnetCidr)],
  ] as const;
  for (const [key, subnet] of subnets) {
    if (!space.some((s) => contains(s, subnet)))
      throw new InfraConfigError(at(key), subnet.text, `must lie inside the VNet address space ${n.vnetAddressSpace.join(', ')}`);
  }
  subnets.forEach(([key, subnet], i) => {
    for (const [otherKey, other] of subnets.slice(0, i)) {
      if (overlaps(subnet, other)) throw new InfraConfigError(at(key), subnet.text, `must not overlap ${otherKey} ${other.text}`);
    }
  });
  // Managed DevOps Pools need at least a /28 of their own; the agents scale within it.
  if (subnets[3][1].prefix > 28) throw new InfraConfigError(at('deployAgentSubnetCidr'), n.deployAgentSubnetCidr, 'must be a /28 or larger');
  if (n.adminCidrs.length === 0)
    throw new InfraConfigError(at('adminCidrs'), n.adminCidrs, 'must name at least one admin CIDR (who may reach the API server) (ADMIN_CIDRS)');
  n.adminCidrs.forEach((value, i) => {
    if (value.trim() === '*' || value.trim().toLowerCase() === 'internet' || value.trim() === 'any') {
      throw new InfraConfigError(at(`adminCidrs[${i}]`), value, 'must be a specific CIDR, not the whole Internet (ADMIN_CIDRS)');
    }
    const c = parseCidr(value);
    if (!c)
      throw new InfraConfigError(at(`adminCidrs[${i}]`), value, 'must be an IPv4 CIDR such as 198.51.100.7/32, with no host bits set (ADMIN_CIDRS)');
    if (c.prefix === 0) throw new InfraConfigError(at(`adminCidrs[${i}]`), value, 'must be a specific CIDR, not the whole Internet (ADMIN_CIDRS)');
    // The API server is on the Internet: a private range there admits nobody.
    if (isPrivate(c))
      throw new InfraConfigError(
        at(`adminCidrs[${i}]`),
        value,
        'must be a public address range: the API server is reached over the Internet, where private ranges never match (ADMIN_CIDRS)',
      );
  });
  const setup = config.access.setupAccessCidr;
  if (setup !== undefined) {
    const c = parseCidr(setup);
    if (!c || c.prefix !== 32 || isPrivate(c))
      throw new InfraConfigError(
        `${config.name}.access.setupAccessCidr`,
        setup,
        "must be one public IPv4 address as a /32, such as 203.0.113.7/32: this machine's address as the Internet sees it (SETUP_ACCESS_CIDR)",
      );
  }
  n.sshSourceCidrs.forEach((value, i) => {
    const c = parseCidr(value);
    if (!c) throw new InfraConfigError(at(`sshSourceCidrs[${i}]`), value, 'must be an IPv4 CIDR');
    if (!isPrivate(c))
      throw new InfraConfigError(
        at(`sshSourceCidrs[${i}]`),
        value,
        'SSH is allowed only from private ranges (a bastion or VPN), never from the Internet',
      );
  });
  if (!/^[a-z0-9]+$/.test(config.location))
    throw new InfraConfigError(`${config.name}.location`, config.location, 'must be an Azure region name such as uksouth');

  const c = config.cluster;
  const cl = (key: string): string => `${config.name}.cluster.${key}`;
  const version = /^1\.(\d+)(?:\.\d+)?$/.exec(c.kubernetesVersion);
  if (!version) throw new InfraConfigError(cl('kubernetesVersion'), c.kubernetesVersion, 'must be a Kubernetes version such as 1.36');
  if (Number(version[1]) < OLDEST_SUPPORTED_KUBERNETES_MINOR) {
    throw new InfraConfigError(
      cl('kubernetesVersion'),
      c.kubernetesVersion,
      `is no longer supported by AKS; use 1.${OLDEST_SUPPORTED_KUBERNETES_MINOR} or later`,
    );
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9-]{0,52}[a-zA-Z0-9]$/.test(c.dnsPrefix))
    throw new InfraConfigError(cl('dnsPrefix'), c.dnsPrefix, 'must be 2-54 letters, digits and dashes, starting and ending with a letter or digit');
  if (c.zones.length === 0 || c.zones.some((z) => !['1', '2', '3'].includes(z)))
    throw new InfraConfigError(cl('zones'), c.zones, 'must list availability zones from "1", "2", "3"');
  for (const [key, pool] of [
    ['systemPool', c.systemPool],
    ['userPool', c.userPool],
  ] as const) {
    if (!Number.isInteger(pool.minCount) || pool.minCount < 1)
      throw new InfraConfigError(cl(`${key}.minCount`), pool.minCount, 'must be a whole number of at least 1');
    if (!Number.isInteger(pool.maxCount) || pool.maxCount < pool.minCount)
      throw new InfraConfigError(cl(`${key}.maxCount`), pool.maxCount, `must be a whole number of at least minCount (${pool.minCount})`);
    if (!Number.isInteger(pool.maxPods) || pool.maxPods < 50 || pool.maxPods > 250)
      throw new InfraConfigError(cl(`${key}.maxPods`), pool.maxPods, 'must be from 50 to 250');
  }

  const m = config.monitoring;
  if (!Number.isInteger(m.retentionDays) || m.retentionDays < 30 || m.retentionDays > 730) {
    throw new InfraConfigError(`${config.name}.monitoring.retentionDays`, m.retentionDays, 'must be a whole number of days from 30 to 730');
  }
  try {
    validateAlertEmails(m.alertEmails, `${config.name}.monitoring.alertEmails`);
    validateAlertThresholds(m.alerts, `${config.name}.monitoring.alerts`);
  } catch (err) {
    if (err instanceof MonitoringConfigError) throw new InfraConfigError(err.setting, err.value, err.rule);
    throw err;
  }
  if (m.dailyQuotaGb !== -1 && !(m.dailyQuotaGb > 0))
    throw new InfraConfigError(`${config.name}.monitoring.dailyQuotaGb`, m.dailyQuotaGb, 'must be a positive number of GB, or -1 for no cap');

  const d = config.data;
  const dk = (key: string): string => `${config.name}.data.${key}`;
  if (!/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(d.keyVaultName) || d.keyVaultName.includes('--')) {
    throw new InfraConfigError(
      dk('keyVaultName'),
      d.keyVaultName,
      'must be 3-24 letters, digits and single dashes, starting with a letter ' +
        '(it is <GLOBAL_NAME_PREFIX>-<env>-kv: keep GLOBAL_NAME_PREFIX to 16 characters or fewer)',
    );
  }
  if (!/^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/.test(d.sqlServerName))
    throw new InfraConfigError(dk('sqlServerName'), d.sqlServerName, 'must be 2-63 lower-case letters, digits and dashes');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(d.databaseName))
    throw new InfraConfigError(dk('databaseName'), d.databaseName, 'must be 1-128 letters, digits, dashes and underscores');
  if (!Number.isInteger(d.auditRetentionDays) || d.auditRetentionDays < 90)
    throw new InfraConfigError(dk('auditRetentionDays'), d.auditRetentionDays, 'must be at least 90 days');
  if (!Number.isInteger(d.secretExpiryDays) || d.secretExpiryDays < 1 || d.secretExpiryDays > 730)
    throw new InfraConfigError(dk('secretExpiryDays'), d.secretExpiryDays, 'must be from 1 to 730 days');

  const a = config.access;
  const ak = (key: string): string => `${config.name}.access.${key}`;
  for (const [key, group, variable] of [
    ['adminGroup', a.adminGroup, 'ADMIN_GROUP'],
    ['sqlAdminGroup', a.sqlAdminGroup, 'SQL_ADMIN_GROUP'],
  ] as const) {
    if (!GUID.test(group.objectId))
      throw new InfraConfigError(ak(`${key}.objectId`), group.objectId, `must be the Entra object id (a GUID) of the group (${variable}_OBJECT_ID)`);
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (!/^[^\]\u0000-\u001f]{1,128}$/.test(group.displayName) || group.displayName.trim() !== group.displayName) {
      throw new InfraConfigError(
        ak(`${key}.displayName`),
        group.displayName,
        `must be the group's display name, 1-128 characters without "]" or surrounding spaces (${variable}_NAME)`,
      );
    }
  }
  if (a.sqlAdminGroup.objectId.toLowerCase() === a.adminGroup.objectId.toLowerCase()) {
    throw new InfraConfigError(
      ak('sqlAdminGroup.objectId'),
      a.sqlAdminGroup.objectId,
      'must differ from adminGroup: the pipeline joins the SQL administrators, and joining the platform administrators would make it cluster-admin',
    );
  }
  if (!GUID.test(a.deployerObjectId))
    throw new InfraConfigError(
      ak('deployerObjectId'),
      a.deployerObjectId,
      "must be the Entra object id (a GUID) of the pipeline's service principal (DEPLOYER_OBJECT_ID)",
    );
  if ([a.adminGroup.objectId, a.sqlAdminGroup.objectId].some((g) => g.toLowerCase() === a.deployerObjectId.toLowerCase())) {
    throw new InfraConfigError(ak('deployerObjectId'), a.deployerObjectId, "must be the pipeline's service principal, not one of the groups");
  }

  const e = config.exposure;
  const ek = (key: string): string => `${config.name}.exposure.${key}`;
  if (!['clusterip', 'internal', 'public'].includes(e.mode))
    throw new InfraConfigError(ek('mode'), e.mode, 'must be one of clusterip, internal, public');
  if (e.mode === 'public') {
    if (!e.publicHost || !/^(?=.{4,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(e.publicHost)) {
      throw new InfraConfigError(ek('publicHost'), e.publicHost ?? null, 'must be a DNS name such as orders.example.com (PUBLIC_HOST_<ENV>)');
    }
  } else if (e.publicHost !== undefined) {
    throw new InfraConfigError(ek('publicHost'), e.publicHost, `only applies to exposure "public"; exposure is "${e.mode}"`);
  }
  if (e.internalClientCidrs.length === 0)
    throw new InfraConfigError(ek('internalClientCidrs'), e.internalClientCidrs, 'must name at least one private CIDR');
  e.internalClientCidrs.forEach((value, i) => {
    const parsed = parseCidr(value);
    if (!parsed)
      throw new InfraConfigError(ek(`internalClientCidrs[${i}]`), value, 'must be an IPv4 CIDR such as 10.50.0.0/16 (INTERNAL_CLIENT_CIDRS)');
    if (!isPrivate(parsed))
      throw new InfraConfigError(
        ek(`internalClientCidrs[${i}]`),
        value,
        'must be a private range: the internal load balancer is reachable only from private networks (INTERNAL_CLIENT_CIDRS)',
      );
    const clash = overlayOverlap(parsed);
    if (clash)
      throw new InfraConfigError(
        ek(`internalClientCidrs[${i}]`),
        value,
        `must not overlap the cluster's overlay ${clash}: replies to such clients would be routed into the overlay (INTERNAL_CLIENT_CIDRS)`,
      );
  });
  return config;
}

/**
 * Checks what holds between environments: their VNets must not overlap, so one deploy or
 * corporate network can be peered with all of them and route to each.
 */
export function validateAddressPlan(configs: readonly EnvironmentConfig[]): readonly EnvironmentConfig[] {
  configs.forEach((config, i) => {
    for (const other of configs.slice(0, i)) {
      for (const [j, text] of config.networking.vnetAddressSpace.entries()) {
        const mine = parseCidr(text)!;
        const clash = other.networking.vnetAddressSpace.find((o) => overlaps(mine, parseCidr(o)!));
        if (clash) {
          throw new InfraConfigError(
            `${config.name}.networking.vnetAddressSpace[${j}]`,
            text,
            `must not overlap ${other.name}'s ${clash}: a network peered with both environments could not route to both ` +
              `(VNET_ADDRESS_SPACE_${config.name.toUpperCase()})`,
          );
        }
      }
    }
  });
  return configs;
}

/** The subnets of a VNet address space: the 2nd to 5th /24 blocks of its first range. */
export function addressPlan(
  vnetCidr: string,
): Pick<NetworkingConfig, 'controlPlaneSubnetCidr' | 'workerNodeSubnetCidr' | 'privateEndpointSubnetCidr' | 'deployAgentSubnetCidr'> {
  const c = parseCidr(vnetCidr);
  if (!c || c.prefix > 21)
    throw new InfraConfigError(
      'networking.vnetAddressSpace[0]',
      vnetCidr,
      'must be an IPv4 CIDR of /21 or larger (the address plan takes five /24 subnets)',
    );
  const block = (k: number): string => `${addressAt(c, k * 256)}/24`;
  return { controlPlaneSubnetCidr: block(1), workerNodeSubnetCidr: block(2), privateEndpointSubnetCidr: block(3), deployAgentSubnetCidr: block(4) };
}

/** The environments' names, in deploy order (the platform model's). */
export const ENVIRONMENT_NAMES: readonly string[] = PLATFORM_MODEL.environments.map((e) => e.name);
export type EnvironmentName = string;

const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The environments of the platform model (platform/dev.ts, platform/prod.ts, ...), in deploy
 * order, with these variables read from the environment: `ADMIN_CIDRS`,
 * `ADMIN_GROUP_OBJECT_ID`, `ADMIN_GROUP_NAME`, `SQL_ADMIN_GROUP_OBJECT_ID`,
 * `SQL_ADMIN_GROUP_NAME`, `DEPLOYER_OBJECT_ID`,
 * `GLOBAL_NAME_PREFIX`, `ALERT_EMAILS`, `INTERNAL_CLIENT_CIDRS`, `SETUP_ACCESS_CIDR`, and per environment
 * `VNET_ADDRESS_SPACE_<ENV>` and `PUBLIC_HOST_<ENV>`. Unset principals are placeholders:
 * synth works anywhere, and `npm run tf` and the preflight refuse to deploy them.
 */
export function environments(
  env: Readonly<Record<string, string | undefined>> = process.env,
  model: PlatformModel = PLATFORM_MODEL,
): EnvironmentConfig[] {
  validatePlatformModel(model);
  const admin = list(env.ADMIN_CIDRS);
  // Key Vault and SQL server names are global across Azure: a prefix of the deployer's own.
  const prefix = env.GLOBAL_NAME_PREFIX ?? model.shared.defaultGlobalNamePrefix;
  const emails = list(env.ALERT_EMAILS);
  const access: AccessConfig = {
    adminGroup: {
      objectId: env.ADMIN_GROUP_OBJECT_ID?.trim() || PLACEHOLDER_PRINCIPAL_IDS.adminGroup,
      displayName: env.ADMIN_GROUP_NAME?.trim() || 'order-platform-admins',
    },
    sqlAdminGroup: {
      objectId: env.SQL_ADMIN_GROUP_OBJECT_ID?.trim() || PLACEHOLDER_PRINCIPAL_IDS.sqlAdminGroup,
      displayName: env.SQL_ADMIN_GROUP_NAME?.trim() || 'order-platform-sql-admins',
    },
    deployerObjectId: env.DEPLOYER_OBJECT_ID?.trim() || PLACEHOLDER_PRINCIPAL_IDS.deployer,
    ...(env.SETUP_ACCESS_CIDR?.trim() ? { setupAccessCidr: env.SETUP_ACCESS_CIDR.trim() } : {}),
  };
  const resolve = (spec: EnvironmentSpec): EnvironmentConfig => {
    const name = spec.name;
    const suffix = name.toUpperCase();
    const vnet = list(env[`VNET_ADDRESS_SPACE_${suffix}`]) ?? [...spec.networking.vnetAddressSpace];
    const publicHost = env[`PUBLIC_HOST_${suffix}`]?.trim() || undefined;
    return {
      name,
      location: spec.location,
      tags: { project: 'order-platform', environment: name, 'managed-by': 'cdktf' },
      networking: {
        resourceGroupName: spec.networking.resourceGroupName,
        vnetName: 'aks-vnet',
        vnetAddressSpace: vnet,
        ...addressPlan(vnet[0]!),
        nsgName: 'aks-nsg',
        adminCidrs: admin ?? [PLACEHOLDER_ADMIN_CIDR],
        sshSourceCidrs: [],
      },
      cluster: {
        name: spec.cluster.name,
        dnsPrefix: spec.cluster.dnsPrefix,
        kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
        zones: ['1', '2', '3'],
        systemPool: {
          vmSize: 'Standard_D4ds_v5',
          minCount: spec.cluster.systemPool.minCount,
          maxCount: spec.cluster.systemPool.maxCount,
          maxPods: 50,
        },
        userPool: { vmSize: 'Standard_D4ds_v5', minCount: spec.cluster.userPool.minCount, maxCount: spec.cluster.userPool.maxCount, maxPods: 50 },
      },
      // 90 days everywhere: SQL audit records live in the workspace and must be kept that long.
      monitoring: {
        retentionDays: 90,
        dailyQuotaGb: spec.monitoring.dailyQuotaGb,
        monthlyBudget: spec.monitoring.monthlyBudget,
        alertEmails: emails ?? [...spec.monitoring.alertEmails],
        alerts: DEFAULT_ALERT_THRESHOLDS,
      },
      data: {
        keyVaultName: `${prefix}-${name}-kv`,
        sqlServerName: `${prefix}-${name}-sql`,
        databaseName: AppContract.database.defaultDatabaseName,
        databaseSku: spec.data.databaseSku,
        sqlAuth: 'entra',
        auditRetentionDays: 90,
        secretExpiryDays: 365,
        keyVaultPurgeProtection: spec.data.keyVault.purgeProtection,
        keyVaultSoftDeleteRetentionDays: spec.data.keyVault.softDeleteRetentionDays,
      },
      access,
      exposure: {
        mode: publicHost ? 'public' : spec.exposure.mode,
        ...(publicHost ? { publicHost } : {}),
        internalClientCidrs: list(env.INTERNAL_CLIENT_CIDRS) ?? [...DEFAULT_INTERNAL_CLIENT_CIDRS],
      },
      workload: { replicas: spec.workload.replicas, maxReplicas: spec.workload.maxReplicas, resources: { ...spec.workload.resources } },
    };
  };
  return [...validateAddressPlan(model.environments.map((spec) => validateEnvironment(resolve(spec))))];
}

/**
 * The settings a deploy needs and synth does without: the variable, the placeholder synth
 * puts in its place, and where an environment's config holds the value.
 */
const DEPLOY_SETTINGS: readonly { variable: string; placeholder: string; values: (c: EnvironmentConfig) => readonly string[] }[] = [
  { variable: 'ADMIN_GROUP_OBJECT_ID', placeholder: PLACEHOLDER_PRINCIPAL_IDS.adminGroup, values: (c) => [c.access.adminGroup.objectId] },
  { variable: 'SQL_ADMIN_GROUP_OBJECT_ID', placeholder: PLACEHOLDER_PRINCIPAL_IDS.sqlAdminGroup, values: (c) => [c.access.sqlAdminGroup.objectId] },
  { variable: 'DEPLOYER_OBJECT_ID', placeholder: PLACEHOLDER_PRINCIPAL_IDS.deployer, values: (c) => [c.access.deployerObjectId] },
  { variable: 'ADMIN_CIDRS', placeholder: PLACEHOLDER_ADMIN_CIDR, values: (c) => c.networking.adminCidrs },
];

/** The name of the setup window's SQL firewall rule (`SETUP_ACCESS_CIDR`): how a synthesized stack shows the window is open. */
export const SETUP_WINDOW_RULE_NAME = 'setup-window';

/** True when a synthesized stack opens the setup window. */
export const opensSetupWindow = (stackJson: string): boolean => new RegExp(`"name":\\s*"${SETUP_WINDOW_RULE_NAME}"`).test(stackJson);

/** The environment variables a deploy needs and synth does without (the pipeline's variable group holds them). */
export const DEPLOY_SETTING_VARIABLES: readonly string[] = DEPLOY_SETTINGS.map((s) => s.variable);

/** The settings still holding placeholders, as the environment variables that set them; empty when ready to deploy. */
export function unsetDeploySettings(config: EnvironmentConfig): string[] {
  return DEPLOY_SETTINGS.filter((s) => s.values(config).every((v) => v === s.placeholder)).map((s) => s.variable);
}

/** The same, read from a synthesized stack's JSON (what `npm run tf` is about to deploy). */
export function unsetSettingsIn(stackJson: string): string[] {
  return DEPLOY_SETTINGS.filter((s) => stackJson.includes(`"${s.placeholder}"`)).map((s) => s.variable);
}
