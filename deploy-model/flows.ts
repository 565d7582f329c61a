import { AppContract } from '../app/src/app-contract';
import { containsAddress } from '../platform/cidr';
import {
  APP_ROUTING_INGRESS_CLASS,
  AZURE_INTERNAL_LB_ANNOTATION,
  POD_MONITOR_API_VERSION,
  routedByIngress,
  WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION,
  WORKLOAD_IDENTITY_LABEL,
} from '../k8s/charts/order-app-chart';
import { evaluateNetworkPolicy, type Identity, type K8sObject } from './cilium';
import type { DeploymentFacts, PrivateEndpointFacts, SubnetFacts } from './deployment';
import { evaluateNsg, type Endpoint, type Packet } from './nsg';

/** One hop's verdict: whether it lets the connection through, and what decided. */
interface Hop {
  readonly allowed: boolean;
  readonly reason: string;
}

/** A connection that must be open or must be closed, and what the model found. */
export interface FlowResult {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly expected: 'open' | 'closed';
  readonly actual: 'allow' | 'deny';
  /** Every hop's decision when allowed; the denying hop's when denied. */
  readonly decidedBy: readonly string[];
  readonly ok: boolean;
}

/** Runs hops in order: the first denial decides, otherwise every hop's reason is kept. */
function through(...hops: (() => Hop)[]): { actual: 'allow' | 'deny'; decidedBy: string[] } {
  const reasons: string[] = [];
  for (const hop of hops) {
    const h = hop();
    if (!h.allowed) return { actual: 'deny', decidedBy: [h.reason] };
    reasons.push(h.reason);
  }
  return { actual: 'allow', decidedBy: reasons };
}

const nsg =
  (f: DeploymentFacts, subnet: SubnetFacts | undefined, direction: 'Inbound' | 'Outbound', packet: Packet, privateEndpoint = false) =>
  (): Hop => {
    if (!subnet) return { allowed: false, reason: 'the subnet does not exist' };
    if (privateEndpoint && !subnet.nsgAppliesToPrivateEndpoints)
      return { allowed: true, reason: `${subnet.name}: NSG not applied to private endpoints (network policies disabled)` };
    if (!subnet.nsgRules) return { allowed: true, reason: `${subnet.name}: no NSG` };
    const d = evaluateNsg(subnet.nsgRules, direction, packet, f.context);
    return {
      allowed: d.access === 'Allow',
      reason:
        `NSG ${subnet.nsgName} on ${subnet.name} ${direction.toLowerCase()}: ${d.access} by ` +
        `${d.rule.name} (${d.rule.priority}${d.isDefault ? ', default rule' : ''})`,
    };
  };

const policy =
  (f: DeploymentFacts, manifests: DeployManifests, direction: 'ingress' | 'egress', peer: Identity, protocol: 'TCP' | 'UDP', port: number) =>
  (): Hop => {
    const engine = f.networkPolicyEngine;
    if (!engine || engine === 'none') return { allowed: true, reason: 'the cluster has no network policy engine: NetworkPolicies are not enforced' };
    if (engine !== 'cilium') return { allowed: false, reason: `network_policy is ${engine}: the model knows Cilium's semantics only` };
    const d = evaluateNetworkPolicy(manifests, direction, f.pods.app, peer, protocol, port);
    return { allowed: d.allowed, reason: d.reason };
  };

/** Pods on different nodes: the packet crosses the node subnet's NSG out and in (Azure CNI Overlay does not encapsulate it). */
const acrossNodes = (f: DeploymentFacts, from: Identity, to: Identity, protocol: 'Tcp' | 'Udp', port: number): (() => Hop)[] => {
  const packet: Packet = { source: { label: from.label, ip: from.ip }, destination: { label: to.label, ip: to.ip }, protocol, port };
  return [nsg(f, f.nodeSubnet, 'Outbound', packet), nsg(f, f.nodeSubnet, 'Inbound', packet)];
};

type DeployManifests = readonly K8sObject[];

const world = (e: Endpoint): Identity => ({ kind: 'world', label: e.label, ip: e.ip });

/** The Service reaches the app's pods: its selector matches their labels, its target port is a port they listen on. */
const serviceReachesPods = (f: DeploymentFacts) => (): Hop => {
  const service = f.appService;
  const deployment = f.appDeployment;
  if (!service || !deployment) return { allowed: false, reason: 'the manifest has no Service or Deployment for the app' };
  const labels = (deployment.spec.template.metadata?.labels ?? {}) as Record<string, string>;
  const selector = (service.spec.selector ?? {}) as Record<string, string>;
  if (Object.keys(selector).length === 0 || Object.entries(selector).some(([k, v]) => labels[k] !== v))
    return { allowed: false, reason: `Service ${service.metadata.name} selects no pod of Deployment ${deployment.metadata.name}` };
  const ports = (deployment.spec.template.spec.containers as any[]).flatMap((c) => c.ports ?? []);
  for (const p of service.spec.ports as any[]) {
    const target = p.targetPort ?? p.port;
    const listens = typeof target === 'string' ? ports.some((c: any) => c.name === target) : ports.some((c: any) => c.containerPort === target);
    if (!listens)
      return {
        allowed: false,
        reason: `Service ${service.metadata.name} port ${p.port} targets ${target}, which no container of the pods listens on`,
      };
  }
  return { allowed: true, reason: `Service ${service.metadata.name} selects the app's pods on a port they listen on` };
};

/**
 * The metrics add-on scrapes the app: a PodMonitor of its API group selects the app's pods and
 * names the metrics path on a port they listen on. Returns the hop and the port it scrapes.
 */
function podMonitorScrapesApp(f: DeploymentFacts): { hop: () => Hop; port: number } {
  const pm = f.appPodMonitor;
  const fail = (reason: string) => ({ hop: (): Hop => ({ allowed: false, reason }), port: AppContract.port });
  if (!pm) return fail('no PodMonitor for the app: Managed Prometheus does not scrape it');
  if (pm.apiVersion !== POD_MONITOR_API_VERSION)
    return fail(`PodMonitor ${pm.metadata.name} is ${pm.apiVersion}: the metrics add-on reads only ${POD_MONITOR_API_VERSION}`);
  if ((pm.metadata.namespace ?? 'default') !== f.pods.app.namespace && !pm.spec.namespaceSelector)
    return fail(`PodMonitor ${pm.metadata.name} is in ${pm.metadata.namespace ?? 'default'} and selects no other namespace`);
  const selector = (pm.spec.selector?.matchLabels ?? {}) as Record<string, string>;
  if (Object.entries(selector).some(([k, v]) => f.pods.app.labels[k] !== v)) return fail(`PodMonitor ${pm.metadata.name} selects no pod of the app`);
  const endpoint = ((pm.spec.podMetricsEndpoints ?? []) as any[]).find((e) => (e.path ?? '/metrics') === AppContract.paths.metrics);
  if (!endpoint) return fail(`PodMonitor ${pm.metadata.name} scrapes no endpoint at ${AppContract.paths.metrics}`);
  const port = typeof endpoint.port === 'string' ? f.pods.app.namedPorts?.[endpoint.port] : endpoint.portNumber;
  if (port === undefined) return fail(`PodMonitor ${pm.metadata.name} scrapes port ${String(endpoint.port)}, which no container of the pods names`);
  return {
    hop: () => ({
      allowed: true,
      reason: `PodMonitor ${pm.metadata.namespace}/${pm.metadata.name} scrapes ${AppContract.paths.metrics} on port ${endpoint.port} (${port})`,
    }),
    port,
  };
}

/** The Ingress is served by the add-on, terminates TLS for its host and routes to the app's Service. */
const ingressRoutesToApp = (f: DeploymentFacts) => (): Hop => {
  const ing = f.appIngress;
  if (!ing) return { allowed: false, reason: 'no Ingress' };
  const servicePorts = ((f.appService?.spec.ports ?? []) as any[]).map((p) => p.port);
  if (ing.spec.ingressClassName !== APP_ROUTING_INGRESS_CLASS)
    return {
      allowed: false,
      reason: `Ingress class ${String(ing.spec.ingressClassName)} is not served by the application routing add-on (${APP_ROUTING_INGRESS_CLASS})`,
    };
  for (const rule of ing.spec.rules as any[]) {
    if (!(ing.spec.tls ?? []).some((t: any) => (t.hosts ?? []).includes(rule.host) && t.secretName))
      return { allowed: false, reason: `Ingress has no TLS certificate for ${rule.host}: NGINX would serve its default certificate` };
    for (const path of rule.http.paths as any[]) {
      const backend = path.backend?.service;
      if (backend?.name !== f.appService?.metadata.name || !servicePorts.includes(backend?.port?.number))
        return { allowed: false, reason: `Ingress path ${path.path} goes to ${backend?.name}:${backend?.port?.number}, not the app's Service` };
    }
  }
  return {
    allowed: true,
    reason: `Ingress ${ing.metadata.name}: class ${APP_ROUTING_INGRESS_CLASS}, TLS for its host, paths to Service ${f.appService?.metadata.name}`,
  };
};

/** The pod gets a token for the app identity: workload identity label, annotated ServiceAccount, a federated credential for exactly that subject. */
const workloadIdentity = (f: DeploymentFacts, manifests: DeployManifests) => (): Hop => {
  const deployment = f.appDeployment;
  if (!deployment) return { allowed: false, reason: 'no Deployment for the app' };
  const template = deployment.spec.template;
  if (template.metadata?.labels?.[WORKLOAD_IDENTITY_LABEL] !== 'true')
    return { allowed: false, reason: 'the pods lack azure.workload.identity/use: "true": no token is injected' };
  const ns = deployment.metadata.namespace ?? 'default';
  const account = template.spec.serviceAccountName ?? 'default';
  const sa = manifests.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === account && (o.metadata.namespace ?? 'default') === ns);
  if (!/^[0-9a-f-]{36}$/i.test(sa?.metadata.annotations?.[WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION] ?? ''))
    return { allowed: false, reason: `ServiceAccount ${ns}/${account} has no azure.workload.identity/client-id annotation` };
  const subject = `system:serviceaccount:${ns}:${account}`;
  if (!f.federatedSubjects.includes(subject))
    return {
      allowed: false,
      reason:
        `no federated credential of the app identity trusts ${subject} ` +
        `from this cluster's OIDC issuer (found ${f.federatedSubjects.join(', ') || 'none'})`,
    };
  return { allowed: true, reason: `workload identity: ${subject} exchanges its token for the app identity` };
};

/** The vault's or the server's name resolves to its private endpoint from the VNet. */
const resolvesPrivately = (f: DeploymentFacts, pe: PrivateEndpointFacts | undefined, what: string) => (): Hop => {
  if (!pe) return { allowed: false, reason: `${what} has no private endpoint: its name resolves to the public endpoint` };
  if (!pe.subnet) return { allowed: false, reason: `${what}'s private endpoint is not in a subnet of ${f.vnet.values.name}` };
  if (pe.linkedZones.length === 0)
    return { allowed: false, reason: `${what}'s private DNS zone is not linked to ${f.vnet.values.name}: its name resolves to the public endpoint` };
  return { allowed: true, reason: `${what} resolves to its private endpoint ${pe.ip} (${pe.linkedZones[0]} linked to ${f.vnet.values.name})` };
};

const publicAccess = (resource: { values: Record<string, unknown>; address: string }, what: string) => (): Hop =>
  resource.values.public_network_access_enabled === false
    ? { allowed: false, reason: `${what}: public network access disabled` }
    : { allowed: true, reason: `${what}: public network access enabled` };

/**
 * Every connection the deploy and the running app need, and every one that must stay shut,
 * evaluated through the NSGs (as Azure does), the load balancers, private DNS, the API
 * server's authorized ranges and the NetworkPolicies (as Cilium does).
 */
export function checkFlows(f: DeploymentFacts, manifests: DeployManifests): FlowResult[] {
  const results: FlowResult[] = [];
  const flow = (id: string, from: string, to: string, port: string, expected: 'open' | 'closed', ...hops: (() => Hop)[]) => {
    const r = through(...hops);
    results.push({ id, from, to, port, expected, ...r, ok: (r.actual === 'allow') === (expected === 'open') });
  };
  const e = f.endpoints;
  const app = AppContract.port;
  const service = f.appService;
  const isPublic = f.appIngress !== undefined;
  const isInternal = service?.spec?.type === 'LoadBalancer' && service.metadata.annotations?.[AZURE_INTERNAL_LB_ANNOTATION] === 'true';
  const routing = (f.cluster.values.web_app_routing ?? {}) as Record<string, unknown>;
  const agents = f.subnets['deploy-agent-subnet'];
  const tcp = (source: Endpoint, destination: Endpoint, port: number): Packet => ({ source, destination, protocol: 'Tcp', port });

  const ingressFrontend = (port: number) => (): Hop => {
    if (!isPublic) return { allowed: false, reason: 'no public load balancer: no Ingress routes to the app (exposure is not public)' };
    if (!['External', 'AnnotationControlled'].includes(String(routing.default_nginx_controller))) {
      return {
        allowed: false,
        reason:
          `the application routing add-on's NGINX has no public load balancer ` +
          `(default_nginx_controller ${String(routing.default_nginx_controller)})`,
      };
    }
    if (port !== 80 && port !== 443) return { allowed: false, reason: `the ingress load balancer listens on 80 and 443 only, not ${port}` };
    return {
      allowed: true,
      reason: `application routing NGINX behind a public load balancer, Ingress ${f.appIngress!.metadata.namespace}/${f.appIngress!.metadata.name}`,
    };
  };
  const ingressControllerToApp = policy(f, manifests, 'ingress', f.pods.ingressController, 'TCP', app);

  // --- the shop staff reach the app ------------------------------------------------
  if (isPublic) {
    for (const port of [443, 80]) {
      flow(
        `internet-ingress-${port}`,
        e.internetHost.label,
        'the ingress',
        String(port),
        'open',
        ingressFrontend(port),
        nsg(f, f.nodeSubnet, 'Inbound', tcp(e.internetHost, e.ingressFrontend, port)),
        ingressRoutesToApp(f),
        serviceReachesPods(f),
        ...acrossNodes(f, f.pods.ingressController, f.pods.app, 'Tcp', app),
        ingressControllerToApp,
      );
    }
    flow(
      'ingress-controller-app',
      f.pods.ingressController.label,
      f.pods.app.label,
      String(app),
      'open',
      ...acrossNodes(f, f.pods.ingressController, f.pods.app, 'Tcp', app),
      ingressControllerToApp,
    );
    const paths = (f.appIngress!.spec.rules as any[]).flatMap((r) => r.http.paths as { path: string; pathType: string }[]);
    for (const internal of Object.values(AppContract.paths)) {
      flow(`internet-${internal.slice(1)}`, e.internetHost.label, `the app's ${internal}`, '443', 'closed', () =>
        routedByIngress(paths, internal)
          ? { allowed: true, reason: `Ingress ${f.appIngress!.metadata.name} routes ${internal} to the app` }
          : { allowed: false, reason: `Ingress ${f.appIngress!.metadata.name} does not route ${internal}` },
      );
    }
  }
  if (isInternal) {
    const sourceRanges = (service!.spec.loadBalancerSourceRanges ?? []) as string[];
    const local = service!.spec.externalTrafficPolicy === 'Local';
    flow(
      'internal-client-app',
      e.internalClient.label,
      'the internal load balancer',
      String(service!.spec.ports[0].port),
      'open',
      nsg(f, f.nodeSubnet, 'Inbound', tcp(e.internalClient, e.internalFrontend, service!.spec.ports[0].port)),
      serviceReachesPods(f),
      () => {
        const admitted = sourceRanges.length === 0 || sourceRanges.some((r) => containsAddress(r, e.internalClient.ip));
        return {
          allowed: admitted,
          reason: admitted
            ? `Service ${service!.metadata.namespace}/${service!.metadata.name} loadBalancerSourceRanges admit ${e.internalClient.ip}`
            : `Service loadBalancerSourceRanges (${sourceRanges.join(', ')}) do not admit ${e.internalClient.ip}`,
        };
      },
      // With externalTrafficPolicy Cluster another node may forward the connection, with that node's address.
      policy(
        f,
        manifests,
        'ingress',
        local ? world(e.internalClient) : { kind: 'remote-node', label: `${e.node.label} (SNAT: externalTrafficPolicy Cluster)`, ip: e.node.ip },
        'TCP',
        app,
      ),
    );
  }
  flow(
    'kubelet-probes',
    "the kubelet (pod's node)",
    f.pods.app.label,
    String(app),
    'open',
    policy(f, manifests, 'ingress', { kind: 'host', label: 'the node', ip: e.node.ip }, 'TCP', app),
  );

  // --- Managed Prometheus scrapes the app's metrics -------------------------------------
  const scrape = podMonitorScrapesApp(f);
  flow(
    'metrics-agent-app',
    f.pods.metricsAgent.label,
    f.pods.app.label,
    String(scrape.port),
    'open',
    scrape.hop,
    ...acrossNodes(f, f.pods.metricsAgent, f.pods.app, 'Tcp', scrape.port),
    policy(f, manifests, 'ingress', f.pods.metricsAgent, 'TCP', scrape.port),
  );
  const agentLookalike: Identity = {
    ...f.pods.metricsAgent,
    label: 'a pod labelled like ama-metrics in namespace default',
    namespace: 'default',
    ip: '192.168.3.12',
  };
  flow(
    'metrics-lookalike-app',
    agentLookalike.label,
    f.pods.app.label,
    String(scrape.port),
    'closed',
    policy(f, manifests, 'ingress', agentLookalike, 'TCP', scrape.port),
  );

  // --- the app reaches what it needs ------------------------------------------------
  flow(
    'app-dns',
    f.pods.app.label,
    f.pods.kubeDns.label,
    '53/udp',
    'open',
    policy(f, manifests, 'egress', f.pods.kubeDns, 'UDP', 53),
    ...acrossNodes(f, f.pods.app, f.pods.kubeDns, 'Udp', 53),
  );
  const kvPe: Endpoint = { label: 'the Key Vault private endpoint', ip: f.keyVaultEndpoint?.ip ?? '0.0.0.0' };
  const sqlPe: Endpoint = { label: 'the SQL private endpoint', ip: f.sqlEndpoint?.ip ?? '0.0.0.0' };
  // Leaving the overlay, pod traffic takes its node's address.
  flow(
    'app-key-vault',
    f.pods.app.label,
    'Key Vault',
    '443',
    'open',
    workloadIdentity(f, manifests),
    resolvesPrivately(f, f.keyVaultEndpoint, 'Key Vault'),
    policy(f, manifests, 'egress', world(kvPe), 'TCP', 443),
    nsg(f, f.nodeSubnet, 'Outbound', tcp(e.node, kvPe, 443)),
    nsg(f, f.keyVaultEndpoint?.subnet, 'Inbound', tcp(e.node, kvPe, 443), true),
  );
  for (const port of [1433, 11000]) {
    flow(
      `app-sql-${port}`,
      f.pods.app.label,
      'Azure SQL',
      String(port),
      'open',
      workloadIdentity(f, manifests),
      resolvesPrivately(f, f.sqlEndpoint, 'Azure SQL'),
      policy(f, manifests, 'egress', world(sqlPe), 'TCP', port),
      nsg(f, f.nodeSubnet, 'Outbound', tcp(e.node, sqlPe, port)),
      nsg(f, f.sqlEndpoint?.subnet, 'Inbound', tcp(e.node, sqlPe, port), true),
    );
  }
  flow(
    'app-entra-id',
    f.pods.app.label,
    e.entraId.label,
    '443',
    'open',
    policy(f, manifests, 'egress', world(e.entraId), 'TCP', 443),
    nsg(f, f.nodeSubnet, 'Outbound', tcp(e.node, e.entraId, 443)),
  );
  // Traces leave for the Application Insights ingestion endpoint (public; the vault's connection string names it).
  flow(
    'app-application-insights',
    f.pods.app.label,
    e.appInsightsIngestion.label,
    '443',
    'open',
    policy(f, manifests, 'egress', world(e.appInsightsIngestion), 'TCP', 443),
    nsg(f, f.nodeSubnet, 'Outbound', tcp(e.node, e.appInsightsIngestion, 443)),
  );

  // --- the deploy reaches the cluster and the data plane ----------------------------
  const apiServer = (source: Endpoint, via?: string) => (): Hop => {
    const match = f.authorizedRanges.find((r) => (via ? r.replace(/\/32$/, '') === via : containsAddress(r, source.ip)));
    return match
      ? { allowed: true, reason: `API server authorized_ip_ranges include ${match}` }
      : { allowed: false, reason: `API server authorized_ip_ranges (${f.authorizedRanges.join(', ')}) do not include ${via ?? source.ip}` };
  };
  const apiServerEndpoint: Endpoint = { label: 'the API server', ip: '20.108.1.1' };
  flow(
    'deploy-agent-api-server',
    e.deployAgent.label,
    'the API server',
    '443',
    'open',
    nsg(f, agents, 'Outbound', tcp(e.deployAgent, apiServerEndpoint, 443)),
    () =>
      agents?.natEgressRef
        ? { allowed: true, reason: `deploy-agent-subnet leaves through its NAT gateway ${agents.natEgressRef}` }
        : { allowed: false, reason: 'deploy-agent-subnet has no NAT gateway: no fixed egress address to authorize' },
    apiServer(e.deployAgent, agents?.natEgressRef),
  );
  flow('admin-api-server', e.admin.label, 'the API server', '443', 'open', apiServer(e.admin));
  flow(
    'deploy-agent-key-vault',
    e.deployAgent.label,
    'Key Vault (secret writes)',
    '443',
    'open',
    resolvesPrivately(f, f.keyVaultEndpoint, 'Key Vault'),
    nsg(f, agents, 'Outbound', tcp(e.deployAgent, kvPe, 443)),
    nsg(f, f.keyVaultEndpoint?.subnet, 'Inbound', tcp(e.deployAgent, kvPe, 443), true),
  );
  flow(
    'deploy-agent-sql',
    e.deployAgent.label,
    'Azure SQL (grant:sql)',
    '1433',
    'open',
    resolvesPrivately(f, f.sqlEndpoint, 'Azure SQL'),
    nsg(f, agents, 'Outbound', tcp(e.deployAgent, sqlPe, 1433)),
    nsg(f, f.sqlEndpoint?.subnet, 'Inbound', tcp(e.deployAgent, sqlPe, 1433), true),
  );
  flow(
    'load-balancer-probes',
    e.azureLoadBalancer.label,
    e.node.label,
    '10256',
    'open',
    nsg(f, f.nodeSubnet, 'Inbound', tcp(e.azureLoadBalancer, e.node, 10256)),
  );

  // --- what must stay shut ------------------------------------------------------------
  flow(
    'internet-app-port',
    e.internetHost.label,
    'the app port',
    String(app),
    'closed',
    ingressFrontend(app),
    nsg(f, f.nodeSubnet, 'Inbound', tcp(e.internetHost, e.ingressFrontend, app)),
  );
  flow(
    'internet-app-service',
    e.internetHost.label,
    "the app's own Service (no TLS)",
    String(service?.spec?.ports?.[0]?.port ?? 80),
    'closed',
    () => {
      const publicLb = service?.spec?.type === 'LoadBalancer' && !isInternal;
      return publicLb
        ? { allowed: true, reason: "the app's Service is a public LoadBalancer" }
        : { allowed: false, reason: `the app's Service has no public frontend (${service?.spec?.type ?? 'none'}${isInternal ? ', internal' : ''})` };
    },
  );
  flow('internet-ssh', e.internetHost.label, e.node.label, '22', 'closed', nsg(f, f.nodeSubnet, 'Inbound', tcp(e.internetHost, e.node, 22)));
  flow(
    'internet-deploy-agents',
    e.internetHost.label,
    e.deployAgent.label,
    '22',
    'closed',
    nsg(f, agents, 'Inbound', tcp(e.internetHost, e.deployAgent, 22)),
  );
  flow('internet-sql', e.internetHost.label, 'Azure SQL', '1433', 'closed', publicAccess(f.sqlServer, 'Azure SQL'));
  flow('internet-key-vault', e.internetHost.label, 'Key Vault', '443', 'closed', publicAccess(f.keyVault, 'Key Vault'));
  // Administrators reach the private vault from a deploy agent or a network peered with the VNet, not from their desks.
  flow('admin-key-vault', e.admin.label, 'Key Vault (from outside the VNet)', '443', 'closed', publicAccess(f.keyVault, 'Key Vault'));
  flow('internet-api-server', e.internetHost.label, 'the API server', '443', 'closed', apiServer(e.internetHost));
  flow(
    'other-namespace-app',
    f.pods.otherNamespace.label,
    f.pods.app.label,
    String(app),
    'closed',
    policy(f, manifests, 'ingress', f.pods.otherNamespace, 'TCP', app),
  );
  const lookalike: Identity = {
    kind: 'pod',
    label: 'a pod labelled like NGINX in namespace default',
    namespace: 'default',
    labels: { ...f.pods.ingressController.labels },
    ip: '192.168.3.11',
  };
  flow('nginx-lookalike-app', lookalike.label, f.pods.app.label, String(app), 'closed', policy(f, manifests, 'ingress', lookalike, 'TCP', app));
  const system: Identity = {
    kind: 'pod',
    label: 'a pod in namespace kube-system',
    namespace: 'kube-system',
    labels: { 'k8s-app': 'metrics-server' },
    ip: '192.168.4.11',
  };
  flow('kube-system-app', system.label, f.pods.app.label, String(app), 'closed', policy(f, manifests, 'ingress', system, 'TCP', app));
  if (!isPublic)
    flow('ingress-controller-app-private', f.pods.ingressController.label, f.pods.app.label, String(app), 'closed', ingressControllerToApp);
  flow('app-internet-smtp', f.pods.app.label, e.internetHost.label, '25', 'closed', policy(f, manifests, 'egress', world(e.internetHost), 'TCP', 25));
  flow('app-internet-http', f.pods.app.label, e.internetHost.label, '80', 'closed', policy(f, manifests, 'egress', world(e.internetHost), 'TCP', 80));
  flow(
    'app-internet-high-port',
    f.pods.app.label,
    e.internetHost.label,
    '8443',
    'closed',
    policy(f, manifests, 'egress', world(e.internetHost), 'TCP', 8443),
  );
  flow('app-private-https', f.pods.app.label, e.deployAgent.label, '443', 'closed', policy(f, manifests, 'egress', world(e.deployAgent), 'TCP', 443));
  for (const ip of ['10.99.0.4', '172.20.0.5', '192.168.200.5']) {
    flow(
      `app-private-https-${ip}`,
      f.pods.app.label,
      `private address ${ip}`,
      '443',
      'closed',
      policy(f, manifests, 'egress', { kind: 'world', label: ip, ip }, 'TCP', 443),
    );
  }
  return results;
}
