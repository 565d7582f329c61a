import { containsAddress } from '../platform/cidr';

/** A Kubernetes object as the manifests hold it. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: any;
}

/**
 * Who is at one end of a connection, as Cilium classifies it: a pod (labels, namespace), the
 * local node (`host`: the kubelet's probes), another node, or anything outside the cluster
 * (`world`: the only identity an `ipBlock` selects).
 */
export type Identity =
  | {
      readonly kind: 'pod';
      readonly label: string;
      readonly namespace: string;
      readonly labels: Record<string, string>;
      readonly ip: string;
      readonly namedPorts?: Readonly<Record<string, number>>;
    }
  | { readonly kind: 'host'; readonly label: string; readonly ip: string }
  | { readonly kind: 'remote-node'; readonly label: string; readonly ip: string }
  | { readonly kind: 'world'; readonly label: string; readonly ip: string };

export interface PolicyDecision {
  readonly allowed: boolean;
  /** The policy and rule that admitted it, or why nothing did. */
  readonly reason: string;
}

interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && e.values!.includes(value!))) return false;
    if (e.operator === 'NotIn' && has && e.values!.includes(value!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The labels Kubernetes puts on every namespace (`kubernetes.io/metadata.name`). */
const namespaceLabels = (namespace: string): Record<string, string> => ({ 'kubernetes.io/metadata.name': namespace });

function peerMatches(peer: any, policyNamespace: string, other: Identity): { matches: boolean; byAddressOnly?: boolean } {
  if (peer.ipBlock) {
    const inBlock = containsAddress(peer.ipBlock.cidr, other.ip) && !(peer.ipBlock.except ?? []).some((e: string) => containsAddress(e, other.ip));
    // Cilium: ipBlock selects only addresses outside the cluster, never pods or nodes.
    return { matches: inBlock && other.kind === 'world', byAddressOnly: inBlock && other.kind !== 'world' };
  }
  if (other.kind !== 'pod') return { matches: false };
  if (peer.namespaceSelector) {
    if (!selects(peer.namespaceSelector, namespaceLabels(other.namespace))) return { matches: false };
    return { matches: selects(peer.podSelector, other.labels) };
  }
  return { matches: other.namespace === policyNamespace && selects(peer.podSelector, other.labels) };
}

/** Whether a rule's ports admit the connection; a named port is the destination pod's container port of that name. */
function portAllowed(ports: any[] | undefined, protocol: 'TCP' | 'UDP', port: number, named: Readonly<Record<string, number>>): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    const number = typeof p.port === 'string' ? named[p.port] : p.port;
    if (number === undefined) return false;
    return p.endPort !== undefined ? port >= number && port <= p.endPort : port === number;
  });
}

/** The directions a policy isolates: `policyTypes`, or as the API server defaults it (Ingress, plus Egress when egress rules exist). */
function policyTypes(spec: any): string[] {
  return spec.policyTypes ?? ['Ingress', ...(spec.egress ? ['Egress'] : [])];
}

/**
 * Evaluates one direction of a connection for `pod` against the NetworkPolicies of the
 * manifests, as Cilium (Azure CNI powered by Cilium) does:
 * - a pod no policy selects for that direction is not isolated: everything is allowed;
 * - otherwise a rule must admit the peer on that port (policies add up, none denies);
 * - `ipBlock` matches only `world` peers: a pod or a node is never selected by address;
 * - ingress from the pod's own node (`host`: kubelet probes) is always allowed.
 */
export function evaluateNetworkPolicy(
  objects: readonly K8sObject[],
  direction: 'ingress' | 'egress',
  pod: Extract<Identity, { kind: 'pod' }>,
  peer: Identity,
  protocol: 'TCP' | 'UDP',
  port: number,
): PolicyDecision {
  if (direction === 'ingress' && peer.kind === 'host')
    return { allowed: true, reason: "Cilium admits the pod's own node (kubelet probes) whatever the policies say" };
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  const policies = objects.filter(
    (o) =>
      o.kind === 'NetworkPolicy' &&
      (o.metadata.namespace ?? 'default') === pod.namespace &&
      selects(o.spec.podSelector, pod.labels) &&
      policyTypes(o.spec).includes(type),
  );
  if (policies.length === 0) return { allowed: true, reason: `no NetworkPolicy in ${pod.namespace} isolates ${pod.label} for ${direction}` };
  let addressOnly: string | undefined;
  const destination = direction === 'ingress' ? pod : peer;
  const named = destination.kind === 'pod' ? (destination.namedPorts ?? {}) : {};
  for (const policy of policies) {
    const rules: any[] = policy.spec[direction] ?? [];
    for (const [i, rule] of rules.entries()) {
      if (!portAllowed(rule.ports, protocol, port, named)) continue;
      const peers: any[] = (direction === 'ingress' ? rule.from : rule.to) ?? [];
      const where = `NetworkPolicy ${pod.namespace}/${policy.metadata.name} ${direction}[${i}]`;
      if (peers.length === 0) return { allowed: true, reason: `${where} (any peer)` };
      for (const p of peers) {
        const m = peerMatches(p, pod.namespace, peer);
        if (m.matches) return { allowed: true, reason: `${where} (${describePeer(p)})` };
        if (m.byAddressOnly)
          addressOnly =
            `${where} (${describePeer(p)}) covers ${peer.ip} by address, ` +
            `but Cilium never applies ipBlock to ${peer.kind === 'pod' ? 'pods' : 'nodes'}`;
      }
    }
  }
  const names = policies.map((p) => `${pod.namespace}/${p.metadata.name}`).join(', ');
  return {
    allowed: false,
    reason: addressOnly ?? `NetworkPolicy ${names} isolates ${pod.label} and no ${direction} rule admits ${peer.label} on ${protocol}/${port}`,
  };
}

function describePeer(peer: any): string {
  if (peer.ipBlock) return `ipBlock ${peer.ipBlock.cidr}${peer.ipBlock.except ? ` except ${peer.ipBlock.except.join(', ')}` : ''}`;
  const parts: string[] = [];
  if (peer.namespaceSelector)
    parts.push(
      `namespace ${
        Object.entries(peer.namespaceSelector.matchLabels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '*'
      }`,
    );
  if (peer.podSelector && Object.keys(peer.podSelector.matchLabels ?? {}).length > 0)
    parts.push(
      `pods ${Object.entries(peer.podSelector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`,
    );
  return parts.join(', ') || 'pods of this namespace';
}
