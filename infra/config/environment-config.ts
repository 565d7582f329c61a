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

/** One deployment environment. */
export interface EnvironmentConfig {
  readonly name: 'dev' | 'prod';
  /** Azure region. @default "uksouth" (the seed's UK South) */
  readonly location: string;
  /** Tags put on every resource. */
  readonly tags: Readonly<Record<string, string>>;
  readonly networking: NetworkingConfig;
}

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
  ] as const;
  for (const [key, subnet] of subnets) {
    if (!space.some((s) => contains(s, subnet))) throw new InfraConfigError(at(key), subnet.text, `must lie inside the VNet address space ${n.vnetAddressSpace.join(', ')}`);
  }
  if (overlaps(subnets[0][1], subnets[1][1])) {
    throw new InfraConfigError(at('workerNodeSubnetCidr'), subnets[1][1].text, `must not overlap controlPlaneSubnetCidr ${subnets[0][1].text}`);
  }
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
  return config;
}

const seedNetworking: Omit<NetworkingConfig, 'adminCidrs'> = {
  resourceGroupName: 'networking-rg',
  vnetName: 'aks-vnet',
  vnetAddressSpace: ['10.0.0.0/16'],
  controlPlaneSubnetCidr: '10.0.1.0/24',
  workerNodeSubnetCidr: '10.0.2.0/24',
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
  const base = (name: 'dev' | 'prod'): EnvironmentConfig => ({
    name,
    location: 'uksouth',
    tags: { project: 'order-platform', environment: name, 'managed-by': 'cdktf' },
    networking: {
      ...seedNetworking,
      resourceGroupName: name === 'prod' ? seedNetworking.resourceGroupName : `${seedNetworking.resourceGroupName}-${name}`,
      adminCidrs: admin ?? ['203.0.113.0/28'],
    },
  });
  return [base('dev'), base('prod')].map(validateEnvironment);
}
