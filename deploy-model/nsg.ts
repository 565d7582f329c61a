import { contains, isPrivate, parseCidr, type Cidr } from '../platform/cidr';

/** An endpoint of a flow: an address, and for addresses Azure assigns at deploy time the reference that names it. */
export interface Endpoint {
  /** What it is, for reports: "a host on the Internet", "deploy agent". */
  readonly label: string;
  /** A representative IPv4 address. */
  readonly ip: string;
  /** The canonical reference of the address when Terraform names it (e.g. a public IP's ip_address). */
  readonly ref?: string;
}

/** One packet's 5-tuple as an NSG sees it. */
export interface Packet {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly protocol: 'Tcp' | 'Udp';
  readonly port: number;
  /** The client's port. @default 50000 (an ephemeral port, as clients use) */
  readonly sourcePort?: number;
}

/** An NSG rule in the shape of `azurerm_network_security_rule` (prefixes already canonical). */
export interface NsgRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: 'Inbound' | 'Outbound';
  readonly access: 'Allow' | 'Deny';
  readonly protocol: string;
  readonly sourcePrefixes: readonly string[];
  readonly destinationPrefixes: readonly string[];
  readonly destinationPorts: readonly string[];
  /** @default ["*"] */
  readonly sourcePorts?: readonly string[];
}

/** What decided a packet: the rule and its access. */
export interface NsgDecision {
  readonly access: 'Allow' | 'Deny';
  readonly rule: NsgRule;
  readonly isDefault: boolean;
  /** Service tags the model cannot resolve that it assumed to match (a deny) on the way. */
  readonly assumed?: readonly string[];
}

/**
 * Azure's facts that service tags stand for, in this deployment: the VNet's address space
 * plus networks connected to it (peered, VPN or ExpressRoute), which Azure counts as
 * VirtualNetwork too.
 */
export interface NetworkContext {
  readonly virtualNetwork: readonly string[];
}

/** Service tags this model resolves; any other tag (AzureCloud, Storage, ...) it cannot. */
export const KNOWN_TAGS = ['*', 'Any', 'VirtualNetwork', 'AzureLoadBalancer', 'Internet'] as const;

/** The Azure load balancer's health probes come from this address (the AzureLoadBalancer tag). */
export const AZURE_PLATFORM_IP = '168.63.129.16';

/** The rules every NSG has below the custom ones (priorities 65000-65500). */
export const DEFAULT_RULES: readonly NsgRule[] = [
  {
    name: 'AllowVnetInBound',
    priority: 65000,
    direction: 'Inbound',
    access: 'Allow',
    protocol: '*',
    sourcePrefixes: ['VirtualNetwork'],
    destinationPrefixes: ['VirtualNetwork'],
    destinationPorts: ['*'],
  },
  {
    name: 'AllowAzureLoadBalancerInBound',
    priority: 65001,
    direction: 'Inbound',
    access: 'Allow',
    protocol: '*',
    sourcePrefixes: ['AzureLoadBalancer'],
    destinationPrefixes: ['*'],
    destinationPorts: ['*'],
  },
  {
    name: 'DenyAllInBound',
    priority: 65500,
    direction: 'Inbound',
    access: 'Deny',
    protocol: '*',
    sourcePrefixes: ['*'],
    destinationPrefixes: ['*'],
    destinationPorts: ['*'],
  },
  {
    name: 'AllowVnetOutBound',
    priority: 65000,
    direction: 'Outbound',
    access: 'Allow',
    protocol: '*',
    sourcePrefixes: ['VirtualNetwork'],
    destinationPrefixes: ['VirtualNetwork'],
    destinationPorts: ['*'],
  },
  {
    name: 'AllowInternetOutBound',
    priority: 65001,
    direction: 'Outbound',
    access: 'Allow',
    protocol: '*',
    sourcePrefixes: ['*'],
    destinationPrefixes: ['Internet'],
    destinationPorts: ['*'],
  },
  {
    name: 'DenyAllOutBound',
    priority: 65500,
    direction: 'Outbound',
    access: 'Deny',
    protocol: '*',
    sourcePrefixes: ['*'],
    destinationPrefixes: ['*'],
    destinationPorts: ['*'],
  },
];

const host = (ip: string): Cidr => parseCidr(`${ip}/32`)!;

/**
 * Whether an NSG address prefix (CIDR, address, `*` or a service tag) covers an endpoint;
 * `unknown` for a service tag the model cannot resolve.
 */
export function prefixMatches(prefix: string, endpoint: Endpoint, context: NetworkContext): boolean | 'unknown' {
  const p = prefix.trim();
  const ip = host(endpoint.ip);
  const inVnet = context.virtualNetwork.some((c) => contains(parseCidr(c)!, ip));
  switch (p) {
    case '*':
    case 'Any':
      return true;
    case 'VirtualNetwork':
      return inVnet;
    case 'AzureLoadBalancer':
      return endpoint.ip === AZURE_PLATFORM_IP;
    case 'Internet':
      return !inVnet && endpoint.ip !== AZURE_PLATFORM_IP && !isPrivate(ip);
  }
  if (p.startsWith('{')) {
    // A reference (e.g. "{stack:azurerm_public_ip.x.ip_address}/32"): matches the endpoint it names.
    return endpoint.ref !== undefined && p.replace(/\/32$/, '') === endpoint.ref;
  }
  const cidr = parseCidr(p);
  if (cidr) return contains(cidr, ip);
  return /^[A-Za-z][\w.]*$/.test(p) ? 'unknown' : false;
}

function portMatches(range: string, port: number): boolean {
  if (range === '*') return true;
  const [from, to] = range.split('-').map(Number);
  return to === undefined ? port === from : port >= from! && port <= to;
}

/**
 * Evaluates a packet against an NSG as Azure does: custom and default rules in priority
 * order, the first rule that matches direction, protocol, addresses and ports decides. A
 * service tag the model cannot resolve is assumed to match a Deny rule and not an Allow
 * rule, so the verdict errs towards closed and says so.
 */
export function evaluateNsg(rules: readonly NsgRule[], direction: 'Inbound' | 'Outbound', packet: Packet, context: NetworkContext): NsgDecision {
  const ordered = [...rules.filter((r) => r.direction === direction)].sort((a, b) => a.priority - b.priority);
  const all = [
    ...ordered.map((rule) => ({ rule, isDefault: false })),
    ...DEFAULT_RULES.filter((r) => r.direction === direction).map((rule) => ({ rule, isDefault: true })),
  ];
  const sourcePort = packet.sourcePort ?? 50000;
  for (const { rule, isDefault } of all) {
    if (rule.protocol !== '*' && rule.protocol.toLowerCase() !== packet.protocol.toLowerCase()) continue;
    const assumed: string[] = [];
    const side = (prefixes: readonly string[], endpoint: Endpoint): boolean =>
      prefixes.some((p) => {
        const m = prefixMatches(p, endpoint, context);
        if (m === 'unknown') {
          if (rule.access === 'Deny') assumed.push(p);
          return rule.access === 'Deny';
        }
        return m;
      });
    if (!side(rule.sourcePrefixes, packet.source)) continue;
    if (!side(rule.destinationPrefixes, packet.destination)) continue;
    if (!rule.destinationPorts.some((r) => portMatches(r, packet.port))) continue;
    if (!(rule.sourcePorts ?? ['*']).some((r) => portMatches(r, sourcePort))) continue;
    return { access: rule.access, rule, isDefault, ...(assumed.length > 0 ? { assumed } : {}) };
  }
  // Unreachable: DenyAll matches everything.
  throw new Error('no NSG rule matched');
}
