import { evaluateNetworkPolicy, type Identity, type K8sObject } from '../cilium';

const app = { kind: 'pod', label: 'app', namespace: 'orders', labels: { app: 'order-app' }, ip: '192.168.1.10' } as const;
const nginx: Identity = { kind: 'pod', label: 'nginx', namespace: 'app-routing-system', labels: { app: 'nginx' }, ip: '192.168.2.10' };
const otherPod: Identity = { kind: 'pod', label: 'other', namespace: 'default', labels: { app: 'x' }, ip: '192.168.3.10' };
const sameNamespacePod: Identity = { kind: 'pod', label: 'neighbour', namespace: 'orders', labels: { app: 'worker' }, ip: '192.168.1.11' };
const world = (ip: string): Identity => ({ kind: 'world', label: ip, ip });
const policy = (spec: Record<string, unknown>): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace: 'orders' },
  spec: { podSelector: { matchLabels: { app: 'order-app' } }, ...spec },
});
const ingress = (from: unknown[], ports = [{ port: 5000, protocol: 'TCP' }]) => policy({ policyTypes: ['Ingress'], ingress: [{ from, ports }] });

test('a pod no policy isolates accepts everything', () => {
  expect(evaluateNetworkPolicy([], 'ingress', app, otherPod, 'TCP', 5000)).toMatchObject({ allowed: true });
  const elsewhere = { ...ingress([]), metadata: { name: 'p', namespace: 'default' } };
  expect(evaluateNetworkPolicy([elsewhere], 'ingress', app, otherPod, 'TCP', 5000).allowed).toBe(true);
});

test('ipBlock 0.0.0.0/0 admits clients outside the cluster but never a pod or a node, and says so', () => {
  const objects = [ingress([{ ipBlock: { cidr: '0.0.0.0/0' } }])];
  expect(evaluateNetworkPolicy(objects, 'ingress', app, world('10.50.0.9'), 'TCP', 5000).allowed).toBe(true);
  const fromPod = evaluateNetworkPolicy(objects, 'ingress', app, nginx, 'TCP', 5000);
  expect(fromPod.allowed).toBe(false);
  expect(fromPod.reason).toContain('covers 192.168.2.10 by address, but Cilium never applies ipBlock to pods');
  const fromNode = evaluateNetworkPolicy(objects, 'ingress', app, { kind: 'remote-node', label: 'node', ip: '10.20.2.5' }, 'TCP', 5000);
  expect(fromNode).toMatchObject({ allowed: false, reason: expect.stringContaining('never applies ipBlock to nodes') });
});

test('a namespace selector admits every pod of that namespace and no other', () => {
  const objects = [ingress([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-routing-system' } }, podSelector: {} }])];
  expect(evaluateNetworkPolicy(objects, 'ingress', app, nginx, 'TCP', 5000).allowed).toBe(true);
  expect(evaluateNetworkPolicy(objects, 'ingress', app, otherPod, 'TCP', 5000).allowed).toBe(false);
  expect(evaluateNetworkPolicy(objects, 'ingress', app, world('198.51.100.7'), 'TCP', 5000).allowed).toBe(false);
});

test("a pod selector alone means pods of the policy's own namespace", () => {
  const objects = [ingress([{ podSelector: { matchLabels: { app: 'worker' } } }])];
  expect(evaluateNetworkPolicy(objects, 'ingress', app, sameNamespacePod, 'TCP', 5000).allowed).toBe(true);
  expect(evaluateNetworkPolicy(objects, 'ingress', app, { ...sameNamespacePod, namespace: 'default' } as Identity, 'TCP', 5000).allowed).toBe(false);
});

test('an isolated pod admits only the listed ports and protocols, endPort included', () => {
  const objects = [ingress([{ ipBlock: { cidr: '10.0.0.0/8' } }], [{ port: 1433, endPort: 1500, protocol: 'TCP' } as any])];
  expect(evaluateNetworkPolicy(objects, 'ingress', app, world('10.1.1.1'), 'TCP', 1499).allowed).toBe(true);
  expect(evaluateNetworkPolicy(objects, 'ingress', app, world('10.1.1.1'), 'TCP', 1501).allowed).toBe(false);
  expect(evaluateNetworkPolicy(objects, 'ingress', app, world('10.1.1.1'), 'UDP', 1433).allowed).toBe(false);
});

test("the pod's own node is always admitted (kubelet probes), even with no ingress rule", () => {
  const objects = [policy({ policyTypes: ['Ingress'], ingress: [] })];
  expect(evaluateNetworkPolicy(objects, 'ingress', app, { kind: 'host', label: 'node', ip: '10.20.2.4' }, 'TCP', 5000).allowed).toBe(true);
  expect(evaluateNetworkPolicy(objects, 'ingress', app, world('10.20.2.4'), 'TCP', 5000).allowed).toBe(false);
});

test('egress ipBlock except carves private ranges out of the Internet', () => {
  const objects = [
    policy({
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 443, protocol: 'TCP' }] }],
    }),
  ];
  expect(evaluateNetworkPolicy(objects, 'egress', app, world('20.190.128.1'), 'TCP', 443).allowed).toBe(true);
  expect(evaluateNetworkPolicy(objects, 'egress', app, world('10.20.4.4'), 'TCP', 443).allowed).toBe(false);
  expect(evaluateNetworkPolicy(objects, 'ingress', app, world('10.20.4.4'), 'TCP', 443).allowed).toBe(true);
});

test("a named port is the destination pod's container port of that name", () => {
  const named = { ...app, namedPorts: { http: 5000 } };
  const objects = [ingress([{ ipBlock: { cidr: '10.0.0.0/8' } }], [{ port: 'http', protocol: 'TCP' } as any])];
  expect(evaluateNetworkPolicy(objects, 'ingress', named, world('10.1.1.1'), 'TCP', 5000).allowed).toBe(true);
  expect(evaluateNetworkPolicy(objects, 'ingress', named, world('10.1.1.1'), 'TCP', 5001).allowed).toBe(false);
  expect(evaluateNetworkPolicy(objects, 'ingress', app, world('10.1.1.1'), 'TCP', 5000).allowed).toBe(false);
});

test('without policyTypes a policy with egress rules isolates egress too, as the API server defaults it', () => {
  const objects: K8sObject[] = [{ ...policy({ ingress: [], egress: [{ to: [{ ipBlock: { cidr: '20.0.0.0/8' } }] }] }) }];
  expect(evaluateNetworkPolicy(objects, 'egress', app, world('198.51.100.7'), 'TCP', 443).allowed).toBe(false);
  expect(evaluateNetworkPolicy(objects, 'egress', app, world('20.190.128.1'), 'TCP', 443).allowed).toBe(true);
});
