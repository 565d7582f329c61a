import { AppContract } from '../app/src/app-contract';
import { addressAt, containsAddress, parseCidr } from '../platform/cidr';
import type { EnvironmentConfig } from '../platform/environment-config';
import { appIdentityName } from '../infra/constructs/app-data';
import { APP_ROUTING_NAMESPACE, METRICS_AGENT_LABELS, METRICS_AGENT_NAMESPACE } from '../k8s/charts/order-app-chart';
import type { Identity, K8sObject } from './cilium';
import type { Endpoint, NetworkContext, NsgRule } from './nsg';
import type { TerraformModel, TfResource } from './terraform-model';

/** What one environment's deploy consists of: its synthesized stacks, its manifest, its config. */
export interface DeployArtifacts {
  readonly terraform: TerraformModel;
  readonly manifests: readonly K8sObject[];
  readonly config: EnvironmentConfig;
}

/** A subnet with the NSG rules Azure applies to it. */
export interface SubnetFacts {
  readonly name: string;
  readonly cidr: string;
  readonly resource: TfResource;
  /** The rules of the NSG associated with the subnet; undefined when none is. */
  readonly nsgRules?: readonly NsgRule[];
  readonly nsgName?: string;
  /** Whether NSG rules apply to private endpoints in it (`private_endpoint_network_policies`). */
  readonly nsgAppliesToPrivateEndpoints: boolean;
  /** The public address its traffic leaves through (NAT gateway), as a canonical reference. */
  readonly natEgressRef?: string;
}

/** A private endpoint of a PaaS resource and whether its name resolves to it from the VNet. */
export interface PrivateEndpointFacts {
  readonly resource: TfResource;
  readonly subresource: string;
  readonly subnet?: SubnetFacts;
  /** Zones of its DNS zone group that are linked to the environment's VNet. */
  readonly linkedZones: readonly string[];
  /** The addresses of those zones' links to the VNet (writes through the endpoint wait for them). */
  readonly zoneLinks: readonly string[];
  readonly ip: string;
}

/** The reviewed-together facts the flow and permission checks read. */
export interface DeploymentFacts {
  readonly env: string;
  readonly networkStack: string;
  readonly platformStack: string;
  readonly vnet: TfResource;
  readonly context: NetworkContext;
  readonly subnets: Readonly<Record<string, SubnetFacts>>;
  readonly cluster: TfResource;
  readonly nodeSubnet: SubnetFacts;
  readonly authorizedRanges: readonly string[];
  readonly keyVault: TfResource;
  readonly sqlServer: TfResource;
  readonly keyVaultEndpoint?: PrivateEndpointFacts;
  readonly sqlEndpoint?: PrivateEndpointFacts;
  readonly endpoints: {
    readonly internetHost: Endpoint;
    readonly admin: Endpoint;
    readonly node: Endpoint;
    readonly deployAgent: Endpoint;
    readonly ingressFrontend: Endpoint;
    readonly internalFrontend: Endpoint;
    readonly internalClient: Endpoint;
    readonly entraId: Endpoint;
    readonly appInsightsIngestion: Endpoint;
    readonly azureLoadBalancer: Endpoint;
  };
  readonly pods: {
    readonly app: Extract<Identity, { kind: 'pod' }>;
    readonly ingressController: Extract<Identity, { kind: 'pod' }>;
    readonly otherNamespace: Extract<Identity, { kind: 'pod' }>;
    readonly kubeDns: Extract<Identity, { kind: 'pod' }>;
    readonly metricsAgent: Extract<Identity, { kind: 'pod' }>;
  };
  readonly appService?: K8sObject;
  readonly appIngress?: K8sObject;
  readonly appDeployment?: K8sObject;
  /** The PodMonitor that selects the app's pods, if any (Managed Prometheus scrapes through it). */
  readonly appPodMonitor?: K8sObject;
  /** Subjects the app identity's federated credentials trust from this cluster's OIDC issuer. */
  readonly federatedSubjects: readonly string[];
  /** The cluster's network policy engine (`network_profile.network_policy`); undefined when none. */
  readonly networkPolicyEngine?: string;
}

/** The n-th address of a CIDR, as a dotted quad. */
export function hostIn(cidr: string, n: number): string {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`not a CIDR: ${cidr}`);
  return addressAt(c, n);
}

/** The application routing add-on's NGINX pods (namespace and labels as AKS deploys them). */
export const INGRESS_CONTROLLER_POD = {
  namespace: APP_ROUTING_NAMESPACE,
  labels: { app: 'nginx', 'app.kubernetes.io/component': 'ingress-controller' },
} as const;

/** The Managed Prometheus metrics add-on's replica pod, which runs the PodMonitor scrape jobs. */
export const METRICS_AGENT_POD = {
  namespace: METRICS_AGENT_NAMESPACE,
  labels: { ...METRICS_AGENT_LABELS, 'kubernetes.azure.com/managedby': 'aks' },
} as const;

const ZONE_OF: Record<string, string> = { vault: 'privatelink.vaultcore.azure.net', sqlServer: 'privatelink.database.windows.net' };

/** Reads the facts of one environment out of its stacks and manifest. */
export function deploymentFacts(a: DeployArtifacts): DeploymentFacts {
  const tf = a.terraform;
  const env = a.config.name;
  const net = `network-${env}`;
  const platform = `platform-${env}`;
  if (!tf.stacks[net] || !tf.stacks[platform])
    throw new Error(`the synthesized stacks ${net} and ${platform} are both needed; found ${Object.keys(tf.stacks).join(', ') || 'none'}`);
  const vnet = tf.only('azurerm_virtual_network', [net]);
  const vnetSpace = vnet.values.address_space as string[];

  const rulesByNsg = new Map<string, NsgRule[]>();
  for (const r of tf.resources('azurerm_network_security_rule', [net])) {
    const v = r.values as Record<string, any>;
    const key = tf.canon(net, v.network_security_group_name);
    const list = (one: unknown, many: unknown): string[] => (Array.isArray(many) ? (many as string[]) : [one as string]).map((p) => tf.canon(net, p));
    const rule: NsgRule = {
      name: v.name,
      priority: v.priority,
      direction: v.direction,
      access: v.access,
      protocol: v.protocol,
      sourcePrefixes: list(v.source_address_prefix, v.source_address_prefixes),
      destinationPrefixes: list(v.destination_address_prefix, v.destination_address_prefixes),
      destinationPorts: Array.isArray(v.destination_port_ranges) ? v.destination_port_ranges : [v.destination_port_range],
      sourcePorts: Array.isArray(v.source_port_ranges) ? v.source_port_ranges : [v.source_port_range ?? '*'],
    };
    rulesByNsg.set(key, [...(rulesByNsg.get(key) ?? []), rule]);
  }
  const nsgs = tf.resources('azurerm_network_security_group', [net]);
  const nsgAssociations = tf.resources('azurerm_subnet_network_security_group_association', [net]);
  const natAssociations = tf.resources('azurerm_subnet_nat_gateway_association', [net]);
  const natByGateway = new Map(
    tf
      .resources('azurerm_nat_gateway_public_ip_association', [net])
      .map((r) => [tf.canon(net, r.values.nat_gateway_id), tf.canon(net, r.values.public_ip_address_id)]),
  );
  const subnets: Record<string, SubnetFacts> = {};
  for (const s of tf.resources('azurerm_subnet', [net])) {
    const id = tf.ref(s, 'id');
    const assoc = nsgAssociations.find((x) => tf.canon(net, x.values.subnet_id) === id);
    const nsg = assoc ? nsgs.find((n) => tf.ref(n, 'id') === tf.canon(net, assoc.values.network_security_group_id)) : undefined;
    const nat = natAssociations.find((x) => tf.canon(net, x.values.subnet_id) === id);
    const natIp = nat ? natByGateway.get(tf.canon(net, nat.values.nat_gateway_id)) : undefined;
    subnets[s.values.name as string] = {
      name: s.values.name as string,
      cidr: (s.values.address_prefixes as string[])[0]!,
      resource: s,
      ...(nsg ? { nsgRules: rulesByNsg.get(tf.ref(nsg, 'name')) ?? [], nsgName: nsg.values.name as string } : {}),
      nsgAppliesToPrivateEndpoints: s.values.private_endpoint_network_policies === 'Enabled',
      ...(natIp ? { natEgressRef: tf.withAttribute(natIp, 'ip_address') } : {}),
    };
  }
  const bySubnetId = (value: unknown): SubnetFacts | undefined =>
    Object.values(subnets).find((s) => tf.ref(s.resource, 'id') === tf.canon(platform, value));

  const cluster = tf.only('azurerm_kubernetes_cluster', [platform]);
  const c = cluster.values as Record<string, any>;
  const nodeSubnet = bySubnetId(c.default_node_pool.vnet_subnet_id);
  if (!nodeSubnet) throw new Error("the cluster's node pool is not in a subnet of the network stack");
  const keyVault = tf.only('azurerm_key_vault', [platform]);
  const sqlServer = tf.only('azurerm_mssql_server', [platform]);

  const vnetId = tf.ref(vnet, 'id');
  const links = tf
    .resources('azurerm_private_dns_zone_virtual_network_link', [platform])
    .filter((l) => tf.canon(platform, l.values.virtual_network_id) === vnetId);
  const zoneNameOf = (zoneIdRef: string): string | undefined => tf.resourceOf(zoneIdRef)?.values.name as string | undefined;
  const linkOfZone = new Map(links.map((l) => [tf.withAttribute(tf.canon(platform, l.values.private_dns_zone_name), 'id'), l.address]));
  const endpointFor = (target: TfResource, n: number): PrivateEndpointFacts | undefined => {
    const pe = tf
      .resources('azurerm_private_endpoint', [platform])
      .find((p) => tf.canon(platform, (p.values.private_service_connection as any).private_connection_resource_id) === tf.ref(target, 'id'));
    if (!pe) return undefined;
    const subresource = (pe.values.private_service_connection as any).subresource_names[0] as string;
    const zones = ((pe.values.private_dns_zone_group as any)?.private_dns_zone_ids ?? []).map((z: string) => tf.canon(platform, z)) as string[];
    const subnet = bySubnetId(pe.values.subnet_id);
    const linked = zones.filter((z) => linkOfZone.has(z) && zoneNameOf(z) === ZONE_OF[subresource]);
    return {
      resource: pe,
      subresource,
      ...(subnet ? { subnet } : {}),
      linkedZones: linked.map((z) => zoneNameOf(z)!),
      zoneLinks: linked.map((z) => linkOfZone.get(z)!),
      ip: subnet ? hostIn(subnet.cidr, n) : '0.0.0.0',
    };
  };

  const internalCidrs = a.config.exposure.internalClientCidrs;
  const authorizedRanges = ((c.api_server_access_profile?.authorized_ip_ranges ?? []) as string[]).map((r) => tf.canon(platform, r));
  const admin = parseCidr(a.config.networking.adminCidrs[0]!)!;
  const internet = ['198.51.100.77', '192.0.2.77', '203.0.113.250'].find(
    (ip) => !a.config.networking.adminCidrs.some((r) => containsAddress(r, ip)),
  )!;
  const agentSubnet = subnets['deploy-agent-subnet'];
  const deployment = a.manifests.find((o) => o.kind === 'Deployment' && o.metadata.name === AppContract.appName);
  const podLabels = (deployment?.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
  const service = a.manifests.find((o) => o.kind === 'Service' && o.metadata.name === AppContract.appName);
  const ingress = a.manifests.find((o) => o.kind === 'Ingress');
  const podMonitor = a.manifests.find((o) => o.kind === 'PodMonitor' && o.metadata.name === AppContract.appName);
  const keyVaultEndpoint = endpointFor(keyVault, 4);
  const sqlEndpoint = endpointFor(sqlServer, 5);
  const namedPorts = Object.fromEntries(
    ((deployment?.spec?.template?.spec?.containers ?? []) as any[]).flatMap((c) =>
      (c.ports ?? []).filter((p: any) => p.name).map((p: any) => [p.name, p.containerPort]),
    ),
  );

  return {
    env,
    networkStack: net,
    platformStack: platform,
    vnet,
    context: { virtualNetwork: [...vnetSpace, ...internalCidrs] },
    subnets,
    cluster,
    nodeSubnet,
    authorizedRanges,
    keyVault,
    sqlServer,
    ...(keyVaultEndpoint ? { keyVaultEndpoint } : {}),
    ...(sqlEndpoint ? { sqlEndpoint } : {}),
    endpoints: {
      internetHost: { label: 'a host on the Internet', ip: internet },
      admin: { label: `an administrator (${a.config.networking.adminCidrs[0]})`, ip: hostIn(admin.text, admin.prefix === 32 ? 0 : 1) },
      node: { label: 'an AKS node', ip: hostIn(nodeSubnet.cidr, 4) },
      deployAgent: { label: 'a deploy agent', ip: agentSubnet ? hostIn(agentSubnet.cidr, 4) : '0.0.0.0' },
      ingressFrontend: { label: 'the ingress load balancer (public address AKS assigns)', ip: '20.50.60.70' },
      internalFrontend: { label: 'the internal load balancer', ip: hostIn(nodeSubnet.cidr, 200) },
      internalClient: { label: `an internal client (${internalCidrs[0]})`, ip: hostIn(internalCidrs[0]!, 10) },
      entraId: { label: 'Entra ID (login.microsoftonline.com)', ip: '20.190.128.1' },
      appInsightsIngestion: { label: 'Application Insights ingestion (<region>.in.applicationinsights.azure.com)', ip: '20.49.111.32' },
      azureLoadBalancer: { label: 'Azure load balancer probes', ip: '168.63.129.16' },
    },
    pods: {
      app: {
        kind: 'pod',
        label: `pod ${AppContract.kubernetes.namespace}/${AppContract.appName}`,
        namespace: AppContract.kubernetes.namespace,
        labels: podLabels,
        ip: '192.168.1.10',
        namedPorts,
      },
      ingressController: {
        kind: 'pod',
        label: `pod ${INGRESS_CONTROLLER_POD.namespace}/nginx`,
        namespace: INGRESS_CONTROLLER_POD.namespace,
        labels: { ...INGRESS_CONTROLLER_POD.labels },
        ip: '192.168.2.10',
      },
      otherNamespace: { kind: 'pod', label: 'a pod in namespace default', namespace: 'default', labels: { app: 'other' }, ip: '192.168.3.10' },
      kubeDns: { kind: 'pod', label: 'pod kube-system/coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: '192.168.4.10' },
      metricsAgent: {
        kind: 'pod',
        label: `pod ${METRICS_AGENT_POD.namespace}/ama-metrics`,
        namespace: METRICS_AGENT_POD.namespace,
        labels: { ...METRICS_AGENT_POD.labels },
        ip: '192.168.4.12',
      },
    },
    ...(service ? { appService: service } : {}),
    ...(ingress ? { appIngress: ingress } : {}),
    ...(deployment ? { appDeployment: deployment } : {}),
    ...(podMonitor ? { appPodMonitor: podMonitor } : {}),
    federatedSubjects: tf
      .resources('azurerm_federated_identity_credential', [platform])
      .filter(
        (fc) =>
          tf.canon(platform, fc.values.issuer) === tf.ref(cluster, 'oidc_issuer_url') &&
          tf.resourceOf(tf.canon(platform, fc.values.parent_id))?.values.name === appIdentityName(env),
      )
      .map((fc) => String(fc.values.subject)),
    ...(c.network_profile?.network_policy ? { networkPolicyEngine: String(c.network_profile.network_policy) } : {}),
  };
}
