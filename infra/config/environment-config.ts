import { AppContract } from '../../app/src/app-contract';
import { DEFAULT_ALERT_THRESHOLDS, MonitoringConfigError, validateAlertEmails, validateAlertThresholds, type AlertThresholds } from '../../monitoring/alert-settings';
import { contains, isPrivate, overlaps, parseCidr } from './cidr';

/** Settings of one environment's networking (the seed's networking module). */
export interface NetworkingConfig {
  /** Resource group for the network. @default "networking-rg" (the seed's) */
  readonly resourceGroupName: string;
  /** @default "aks-vnet" */
  readonly vnetName: string;
  /** @default ["10.0.0.0/16"] */
  readonly vnetAddressSpace: readonly string[];
  /** @default "10.0.1.0/24" */
  readonly controlPlaneSubnetCidr: string;
  /** @default "10.0.2.0/24" */
  readonly workerNodeSubnetCidr: string;
  /** Private endpoints (Azure SQL). @default "10.0.3.0/24" */
  readonly privateEndpointSubnetCidr: string;
  /** @default "aks-nsg" */
  readonly nsgName: string;
  /**
   * Who may reach the Kubernetes API server on TCP 443 (the seed allowed one admin IP).
   * Never 0.0.0.0/0 or "*".
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
  /** @default "terraform-aks-cluster" */
  readonly name: string;
  /** @default "myaks-project" */
  readonly dnsPrefix: string;
  /** Kubernetes minor version, e.g. "1.33"; must be one AKS still supports. */
  readonly kubernetesVersion: string;
  /** Availability zones for both pools. @default ["1", "2", "3"] */
  readonly zones: readonly string[];
  /** Kept for critical add-ons only. */
  readonly systemPool: NodePoolConfig;
  /** Autoscaling pool for workloads, in worker-node-subnet. */
  readonly userPool: NodePoolConfig;
  /** Entra groups that administer the cluster (Azure RBAC). @default [] */
  readonly adminGroupObjectIds: readonly string[];
}

/** Log Analytics workspace (the monitoring/ construct). */
export interface MonitoringConfig {
  /** @default 90 (SQL audit records are kept here) */
  readonly retentionDays: number;
  /** Daily ingestion cap in GB; -1 for none. @default 1 (dev), -1 (prod) */
  readonly dailyQuotaGb: number;
  /** Who the alerts e-mail (the action group); from `ALERT_EMAILS`. */
  readonly alertEmails: readonly string[];
  /** What the alerts fire on. @default DEFAULT_ALERT_THRESHOLDS (the seed's 80 / 80 / 90 %) */
  readonly alerts: AlertThresholds;
}

/** Key Vault and Azure SQL for the app. */
export interface DataConfig {
  /** Globally unique Key Vault name, 3-24 letters, digits and dashes. */
  readonly keyVaultName: string;
  /** Globally unique SQL logical server name. */
  readonly sqlServerName: string;
  /** @default "orders" */
  readonly databaseName: string;
  /** @default "S0" (dev: "Basic") */
  readonly databaseSku: string;
  /** `entra`: the app's identity logs in without a password (default). `password`: a generated SQL login. */
  readonly sqlAuth: 'entra' | 'password';
  /** Days the SQL audit log is kept; at least 90 (CKV_AZURE_24). @default 90 */
  readonly auditRetentionDays: number;
  /** Days until the Key Vault secrets expire (they are rewritten on every deploy). @default 365 */
  readonly secretExpiryDays: number;
}

/** One deployment environment. */
export interface EnvironmentConfig {
  readonly name: 'dev' | 'prod';
  /** Azure region. @default "uksouth" (the seed's UK South) */
  readonly location: string;
  /** Tags put on every resource. */
  readonly tags: Readonly<Record<string, string>>;
  readonly networking: NetworkingConfig;
  readonly cluster: ClusterConfig;
  readonly monitoring: MonitoringConfig;
  readonly data: DataConfig;
}

/**
 * The oldest Kubernetes minor version AKS still supports (standard support). Update it when
 * AKS retires a version; the seed's 1.26 was retired in 2024.
 */
export const OLDEST_SUPPORTED_KUBERNETES_MINOR = 31;

/** A configuration value breaks a rule; the message names the setting, the value and the rule. */
export class InfraConfigError extends Error {
  constructor(setting: string, value: unknown, rule: string) {
    super(`${setting} = ${JSON.stringify(value)}: ${rule}`);
    this.name = 'InfraConfigError';
  }
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
  const subnets = [
    ['controlPlaneSubnetCidr', cidr('controlPlaneSubnetCidr', n.controlPlaneSubnetCidr)],
    ['workerNodeSubnetCidr', cidr('workerNodeSubnetCidr', n.workerNodeSubnetCidr)],
    ['privateEndpointSubnetCidr', cidr('privateEndpointSubnetCidr', n.privateEndpointSubnetCidr)],
  ] as const;
  for (const [key, subnet] of subnets) {
    if (!space.some((s) => contains(s, subnet))) throw new InfraConfigError(at(key), subnet.text, `must lie inside the VNet address space ${n.vnetAddressSpace.join(', ')}`);
  }
  subnets.forEach(([key, subnet], i) => {
    for (const [otherKey, other] of subnets.slice(0, i)) {
      if (overlaps(subnet, other)) throw new InfraConfigError(at(key), subnet.text, `must not overlap ${otherKey} ${other.text}`);
    }
  });
  if (n.adminCidrs.length === 0) throw new InfraConfigError(at('adminCidrs'), n.adminCidrs, 'must name at least one admin CIDR (who may reach the API server)');
  n.adminCidrs.forEach((value, i) => {
    if (value.trim() === '*' || value.trim().toLowerCase() === 'internet' || value.trim() === 'any') {
      throw new InfraConfigError(at(`adminCidrs[${i}]`), value, 'must be a specific CIDR, not the whole Internet');
    }
    const c = cidr(`adminCidrs[${i}]`, value);
    if (c.prefix === 0) throw new InfraConfigError(at(`adminCidrs[${i}]`), value, 'must be a specific CIDR, not the whole Internet');
  });
  n.sshSourceCidrs.forEach((value, i) => {
    const c = parseCidr(value);
    if (!c || value.trim() === '*') throw new InfraConfigError(at(`sshSourceCidrs[${i}]`), value, 'must be an IPv4 CIDR');
    if (!isPrivate(c)) throw new InfraConfigError(at(`sshSourceCidrs[${i}]`), value, 'SSH is allowed only from private ranges (a bastion or VPN), never from the Internet');
  });
  if (!/^[a-z0-9]+$/.test(config.location)) throw new InfraConfigError(`${config.name}.location`, config.location, 'must be an Azure region name such as uksouth');

  const c = config.cluster;
  const cl = (key: string): string => `${config.name}.cluster.${key}`;
  const version = /^1\.(\d+)(?:\.\d+)?$/.exec(c.kubernetesVersion);
  if (!version) throw new InfraConfigError(cl('kubernetesVersion'), c.kubernetesVersion, 'must be a Kubernetes version such as 1.33');
  if (Number(version[1]) < OLDEST_SUPPORTED_KUBERNETES_MINOR) {
    throw new InfraConfigError(cl('kubernetesVersion'), c.kubernetesVersion, `is no longer supported by AKS; use 1.${OLDEST_SUPPORTED_KUBERNETES_MINOR} or later`);
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9-]{0,52}[a-zA-Z0-9]$/.test(c.dnsPrefix)) throw new InfraConfigError(cl('dnsPrefix'), c.dnsPrefix, 'must be 2-54 letters, digits and dashes, starting and ending with a letter or digit');
  if (c.zones.length === 0 || c.zones.some((z) => !['1', '2', '3'].includes(z))) throw new InfraConfigError(cl('zones'), c.zones, 'must list availability zones from "1", "2", "3"');
  for (const [key, pool] of [['systemPool', c.systemPool], ['userPool', c.userPool]] as const) {
    if (!Number.isInteger(pool.minCount) || pool.minCount < 1) throw new InfraConfigError(cl(`${key}.minCount`), pool.minCount, 'must be a whole number of at least 1');
    if (!Number.isInteger(pool.maxCount) || pool.maxCount < pool.minCount) throw new InfraConfigError(cl(`${key}.maxCount`), pool.maxCount, `must be a whole number of at least minCount (${pool.minCount})`);
    if (!Number.isInteger(pool.maxPods) || pool.maxPods < 50 || pool.maxPods > 250) throw new InfraConfigError(cl(`${key}.maxPods`), pool.maxPods, 'must be from 50 to 250');
  }
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  c.adminGroupObjectIds.forEach((id, i) => {
    if (!uuid.test(id)) throw new InfraConfigError(cl(`adminGroupObjectIds[${i}]`), id, 'must be an Entra object id (a GUID)');
  });

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
  if (m.dailyQuotaGb !== -1 && !(m.dailyQuotaGb > 0)) throw new InfraConfigError(`${config.name}.monitoring.dailyQuotaGb`, m.dailyQuotaGb, 'must be a positive number of GB, or -1 for no cap');

  const d = config.data;
  const dk = (key: string): string => `${config.name}.data.${key}`;
  if (!/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(d.keyVaultName) || d.keyVaultName.includes('--')) {
    throw new InfraConfigError(dk('keyVaultName'), d.keyVaultName, 'must be 3-24 letters, digits and single dashes, starting with a letter');
  }
  if (!/^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/.test(d.sqlServerName)) throw new InfraConfigError(dk('sqlServerName'), d.sqlServerName, 'must be 2-63 lower-case letters, digits and dashes');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(d.databaseName)) throw new InfraConfigError(dk('databaseName'), d.databaseName, 'must be 1-128 letters, digits, dashes and underscores');
  if (!Number.isInteger(d.auditRetentionDays) || d.auditRetentionDays < 90) throw new InfraConfigError(dk('auditRetentionDays'), d.auditRetentionDays, 'must be at least 90 days');
  if (!Number.isInteger(d.secretExpiryDays) || d.secretExpiryDays < 1 || d.secretExpiryDays > 730) throw new InfraConfigError(dk('secretExpiryDays'), d.secretExpiryDays, 'must be from 1 to 730 days');
  return config;
}

const seedNetworking: Omit<NetworkingConfig, 'adminCidrs'> = {
  resourceGroupName: 'networking-rg',
  vnetName: 'aks-vnet',
  vnetAddressSpace: ['10.0.0.0/16'],
  controlPlaneSubnetCidr: '10.0.1.0/24',
  workerNodeSubnetCidr: '10.0.2.0/24',
  privateEndpointSubnetCidr: '10.0.3.0/24',
  nsgName: 'aks-nsg',
  sshSourceCidrs: [],
};

/**
 * The environments, with the seed's names, region and CIDRs as defaults. Admin CIDRs come
 * from `ADMIN_CIDRS` (comma-separated) when set; the defaults are documentation ranges
 * (RFC 5737) that reach nothing, so a deploy without them is harmless.
 */
export function environments(env: Readonly<Record<string, string | undefined>> = process.env): EnvironmentConfig[] {
  const admin = env.ADMIN_CIDRS?.split(',').map((s) => s.trim()).filter(Boolean);
  const adminGroups = env.AKS_ADMIN_GROUP_IDS?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  // Key Vault and SQL server names are global across Azure: a prefix of the deployer's own.
  const prefix = env.GLOBAL_NAME_PREFIX ?? 'orderplat';
  const emails = env.ALERT_EMAILS?.split(',').map((s) => s.trim()).filter(Boolean);
  const base = (name: 'dev' | 'prod'): EnvironmentConfig => ({
    name,
    location: 'uksouth',
    tags: { project: 'order-platform', environment: name, 'managed-by': 'cdktf' },
    networking: {
      ...seedNetworking,
      resourceGroupName: name === 'prod' ? seedNetworking.resourceGroupName : `${seedNetworking.resourceGroupName}-${name}`,
      adminCidrs: admin ?? ['203.0.113.0/28'],
    },
    cluster: {
      name: name === 'prod' ? 'terraform-aks-cluster' : `terraform-aks-cluster-${name}`,
      dnsPrefix: name === 'prod' ? 'myaks-project' : `myaks-project-${name}`,
      kubernetesVersion: '1.33',
      zones: ['1', '2', '3'],
      systemPool: { vmSize: 'Standard_D4ds_v5', minCount: name === 'prod' ? 3 : 1, maxCount: 3, maxPods: 50 },
      userPool: { vmSize: 'Standard_D4ds_v5', minCount: name === 'prod' ? 2 : 1, maxCount: name === 'prod' ? 10 : 3, maxPods: 50 },
      adminGroupObjectIds: adminGroups,
    },
    // 90 days everywhere: SQL audit records live in the workspace and must be kept that long.
    monitoring: { retentionDays: 90, dailyQuotaGb: name === 'prod' ? -1 : 1, alertEmails: emails ?? ['devops@example.com'], alerts: DEFAULT_ALERT_THRESHOLDS },
    data: {
      keyVaultName: `${prefix}-${name}-kv`,
      sqlServerName: `${prefix}-${name}-sql`,
      databaseName: AppContract.database.defaultDatabaseName,
      databaseSku: name === 'prod' ? 'S0' : 'Basic',
      sqlAuth: 'entra',
      auditRetentionDays: 90,
      secretExpiryDays: 365,
    },
  });
  return [base('dev'), base('prod')].map(validateEnvironment);
}
