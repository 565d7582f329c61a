import { ApiObject, Chart, Duration, JsonPatch, Size, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IntOrString, KubeIngress, KubePodDisruptionBudget, Quantity } from 'cdk8s-plus-27/lib/imports/k8s';
import type { Construct } from 'constructs';
import { AppContract } from '../../app/src/app-contract';
import { PRIVATE_RANGES } from '../../platform/cidr';
import { validateChartConfig, type OrderAppChartConfig } from '../config/chart-config';

/** Labels every object of the app carries (Kubernetes recommended labels). */
export const APP_LABELS = {
  'app.kubernetes.io/name': AppContract.appName,
  'app.kubernetes.io/part-of': 'order-platform',
  'app.kubernetes.io/managed-by': 'cdk8s',
} as const;

/** The pod label the AKS workload identity webhook looks for. */
export const WORKLOAD_IDENTITY_LABEL = 'azure.workload.identity/use';
/** The ServiceAccount annotation that names the Entra app identity. */
export const WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
/** Makes an Azure LoadBalancer Service take a private VNet address instead of a public one. */
export const AZURE_INTERNAL_LB_ANNOTATION = 'service.beta.kubernetes.io/azure-load-balancer-internal';

/** Where the AKS application routing add-on runs its NGINX pods. */
export const APP_ROUTING_NAMESPACE = 'app-routing-system';
/** The label every namespace carries with its own name (Kubernetes 1.21+). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Where the Managed Prometheus metrics add-on runs, and the label of its replica pods, which run the `PodMonitor` scrape jobs. */
export const METRICS_AGENT_NAMESPACE = 'kube-system';
export const METRICS_AGENT_LABELS = { rsName: 'ama-metrics' } as const;
/** The metrics add-on's own PodMonitor API group: it ignores the Prometheus operator's `monitoring.coreos.com`. */
export const POD_MONITOR_API_VERSION = 'azmonitoring.coreos.com/v1';
/** How often the add-on scrapes the app's metrics. */
export const METRICS_SCRAPE_INTERVAL = '30s';
/** The container port's name, which the PodMonitor scrapes by. */
export const HTTP_PORT_NAME = 'http';

/** The AKS application routing add-on's ingress class (managed NGINX). */
export const APP_ROUTING_INGRESS_CLASS = 'webapprouting.kubernetes.azure.com';
/** Ingress annotation naming the TLS certificate in Key Vault; the add-on syncs it into `keyvault-<ingress name>`. */
export const KEY_VAULT_CERT_ANNOTATION = 'kubernetes.azure.com/tls-cert-keyvault-uri';
/** One year, as HSTS preload lists expect. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * The only paths the public ingress routes to the app: its pages, API, static assets and
 * sign-in. Probes and `/metrics` are deliberately absent, so they stay inside the cluster.
 */
export const PUBLIC_PATHS: readonly { readonly path: string; readonly pathType: 'Exact' | 'Prefix' }[] = [
  { path: '/', pathType: 'Exact' },
  { path: '/orders', pathType: 'Prefix' },
  { path: '/orders.csv', pathType: 'Exact' },
  { path: '/add_order', pathType: 'Exact' },
  { path: '/api/orders', pathType: 'Prefix' },
  { path: '/static', pathType: 'Prefix' },
  { path: '/auth', pathType: 'Prefix' },
];

/** Whether an Ingress path list routes a request path (Kubernetes Exact and Prefix semantics). */
export function routedByIngress(paths: readonly { path: string; pathType: string }[], requestPath: string): boolean {
  return paths.some((p) => {
    if (p.pathType === 'Exact') return requestPath === p.path;
    // Prefix matches whole path elements: /orders matches /orders and /orders/new, not /ordersx.
    const prefix = p.path.replace(/\/$/, '');
    return requestPath === prefix || requestPath.startsWith(`${prefix}/`) || prefix === '';
  });
}

/** The image's non-root user (app/Dockerfile `USER 10001`). Above 10000 so it never maps to a host user. */
export const APP_UID = 10001;
export const APP_GID = 10001;
/** Service port; the container listens on `AppContract.port`. */
export const SERVICE_PORT = 80;
/** `/tmp` is the only writable path (the root filesystem is read-only). */
export const TMP_SIZE_LIMIT_MIB = 64;

export interface OrderAppChartProps extends ChartProps {
  /** One environment's validated settings (see `chartEnvironments`). */
  readonly config: OrderAppChartConfig;
}

/**
 * The order app on AKS: its Namespace, ServiceAccount (workload identity), Deployment
 * (zero-downtime RollingUpdate, probes, hardened pod), Service, HPA, PDB, NetworkPolicy, and the
 * PodMonitor through which Managed Prometheus scrapes it. All names shared with the app come from `AppContract`.
 */
export class OrderAppChart extends Chart {
  readonly deployment: kplus.Deployment;
  readonly service: kplus.Service;
  readonly serviceAccount: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, props: OrderAppChartProps) {
    const config = validateChartConfig(props.config);
    const namespace = AppContract.kubernetes.namespace;
    const instance = `${AppContract.appName}-${config.environment}`;
    super(scope, id, { ...props, labels: { ...APP_LABELS, 'app.kubernetes.io/instance': instance, ...props.labels } });

    new kplus.Namespace(this, 'namespace', {
      metadata: {
        name: namespace,
        // Pod Security Admission: the API server itself refuses pods that break the restricted profile.
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' },
      },
    });

    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: {
        name: AppContract.kubernetes.serviceAccount,
        namespace,
        annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: config.appIdentityClientId },
      },
      // The workload identity webhook projects its own token; the API token is never needed.
      automountToken: false,
    });

    const E = AppContract.env;
    const r = config.resources;
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp-volume', 'tmp', { sizeLimit: Size.mebibytes(TMP_SIZE_LIMIT_MIB) });
    const probe = (path: string, periodSeconds: number, failureThreshold: number): kplus.Probe =>
      kplus.Probe.fromHttpGet(path, {
        port: AppContract.port,
        periodSeconds: Duration.seconds(periodSeconds),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold,
        initialDelaySeconds: Duration.seconds(0),
      });

    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: AppContract.appName, namespace },
      // No `replicas`: the HPA owns the count (min = config.replicas), so an apply never resets it.
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      minReady: Duration.seconds(5),
      progressDeadline: Duration.minutes(5),
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      // Recommended labels on pods too, so Container Insights queries can find them by name.
      podMetadata: { labels: { ...APP_LABELS, 'app.kubernetes.io/instance': instance, [WORKLOAD_IDENTITY_LABEL]: 'true' } },
      securityContext: { ensureNonRoot: true, user: APP_UID, group: APP_GID, fsGroup: APP_GID },
      // preStop pause + the app's own drain limit: SIGKILL never cuts a request short.
      terminationGracePeriod: Duration.seconds(AppContract.shutdown.preStopSeconds + AppContract.shutdown.drainTimeoutSeconds),
      volumes: [tmp],
      containers: [
        {
          name: AppContract.appName,
          image: config.image,
          imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
          ports: [{ number: AppContract.port, name: HTTP_PORT_NAME, protocol: kplus.Protocol.TCP }],
          envVariables: {
            [E.nodeEnv]: kplus.EnvValue.fromValue('production'),
            [E.host]: kplus.EnvValue.fromValue('0.0.0.0'),
            [E.port]: kplus.EnvValue.fromValue(String(AppContract.port)),
            [E.logLevel]: kplus.EnvValue.fromValue(config.logLevel),
            [E.databaseDriver]: kplus.EnvValue.fromValue('mssql'),
            [E.keyVaultUrl]: kplus.EnvValue.fromValue(config.keyVaultUrl),
            [E.secretNameServer]: kplus.EnvValue.fromValue(AppContract.secretNames.server),
            [E.secretNameDatabase]: kplus.EnvValue.fromValue(AppContract.secretNames.database),
            [E.secretNameUser]: kplus.EnvValue.fromValue(AppContract.secretNames.user),
            [E.secretNamePassword]: kplus.EnvValue.fromValue(AppContract.secretNames.password),
            // Traces go where the vault's connection string says (written by the platform stack).
            [E.secretNameAppInsightsConnectionString]: kplus.EnvValue.fromValue(AppContract.secretNames.appInsightsConnectionString),
            // The preStop hook gives endpoints time to drop the pod; the app need not wait again.
            [E.shutdownDelaySeconds]: kplus.EnvValue.fromValue('0'),
            ...this.exposureEnv(config),
            // V8 would otherwise size its heap from the node, not the container limit.
            NODE_OPTIONS: kplus.EnvValue.fromValue(`--max-old-space-size=${Math.floor(r.memoryLimitMiB * 0.75)}`),
          },
          readiness: probe(AppContract.paths.readiness, 5, 3),
          liveness: probe(AppContract.paths.liveness, 10, 3),
          // Up to 60 s for the first start (Key Vault, pool, migration) before liveness counts.
          startup: probe(AppContract.paths.liveness, 2, 30),
          lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', String(AppContract.shutdown.preStopSeconds)]) },
          resources: {
            cpu: { request: kplus.Cpu.millis(r.cpuRequestMillis), limit: kplus.Cpu.millis(r.cpuLimitMillis) },
            memory: { request: Size.mebibytes(r.memoryRequestMiB), limit: Size.mebibytes(r.memoryLimitMiB) },
          },
          securityContext: {
            ensureNonRoot: true,
            user: APP_UID,
            group: APP_GID,
            privileged: false,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
          },
          volumeMounts: [{ volume: tmp, path: '/tmp' }],
        },
      ],
    });

    // Preferred anti-affinity as well as the spread constraints below: one pod per node where possible.
    this.deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });

    // cdk8s-plus-27 has no API for seccomp, topology spread or dropping ALL capabilities, and renders
    // ephemeral storage only in whole GiB. Patches are applied before the typed serializer runs, so
    // quantities go in as Quantity objects.
    const deploymentObject = ApiObject.of(this.deployment);
    deploymentObject.addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
      JsonPatch.add(
        '/spec/template/spec/containers/0/resources/requests/ephemeral-storage',
        Quantity.fromString(`${r.ephemeralStorageRequestMiB}Mi`),
      ),
      JsonPatch.add('/spec/template/spec/containers/0/resources/limits/ephemeral-storage', Quantity.fromString(`${r.ephemeralStorageLimitMiB}Mi`)),
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        this.spread('topology.kubernetes.io/zone'),
        this.spread('kubernetes.io/hostname'),
      ]),
    );

    const lbAnnotations: Record<string, string> = config.exposure === 'internal' ? { [AZURE_INTERNAL_LB_ANNOTATION]: 'true' } : {};
    // Only `internal` gets a LoadBalancer; public traffic comes through the HTTPS ingress.
    const loadBalanced = config.exposure === 'internal';
    this.service = new kplus.Service(this, 'service', {
      metadata: { name: AppContract.appName, namespace, annotations: lbAnnotations },
      type: loadBalanced ? kplus.ServiceType.LOAD_BALANCER : kplus.ServiceType.CLUSTER_IP,
      selector: this.deployment,
      ports: [{ name: 'http', port: SERVICE_PORT, targetPort: AppContract.port, protocol: kplus.Protocol.TCP }],
      ...(loadBalanced ? { loadBalancerSourceRanges: [...config.internalClientCidrs] } : {}),
    });
    if (loadBalanced) {
      // Keep the client's address: the NetworkPolicy admits clients by address, and Cilium
      // would see a node (never matched by ipBlock) if another node forwarded with SNAT.
      ApiObject.of(this.service).addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', 'Local'));
    }
    if (config.exposure === 'public') this.ingress(config, namespace);

    new kplus.HorizontalPodAutoscaler(this, 'hpa', {
      metadata: { name: AppContract.appName, namespace },
      target: this.deployment,
      minReplicas: config.replicas,
      maxReplicas: config.maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(config.targetCpuUtilizationPercent))],
      scaleDown: { stabilizationWindow: Duration.minutes(5), policies: [{ replicas: kplus.Replicas.absolute(1), duration: Duration.minutes(1) }] },
    });

    new KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: AppContract.appName, namespace },
      spec: {
        maxUnavailable: IntOrString.fromNumber(1),
        selector: { matchLabels: this.deployment.matchLabels },
        // A pod that never became ready may be evicted, so a broken rollout cannot block a node drain.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    this.networkPolicy(config, namespace);

    // cdk8s-plus has no type for the metrics add-on's CRD, so it is a plain ApiObject.
    new ApiObject(this, 'pod-monitor', {
      apiVersion: POD_MONITOR_API_VERSION,
      kind: 'PodMonitor',
      metadata: { name: AppContract.appName, namespace },
      spec: {
        selector: { matchLabels: this.deployment.matchLabels },
        podMetricsEndpoints: [{ port: HTTP_PORT_NAME, path: AppContract.paths.metrics, scheme: 'http', interval: METRICS_SCRAPE_INTERVAL }],
      },
    });
  }

  /** What the app must know about how it is reached: proxy, HSTS, sign-in. */
  private exposureEnv(config: OrderAppChartConfig): Record<string, kplus.EnvValue> {
    const E = AppContract.env;
    const v = (value: string) => kplus.EnvValue.fromValue(value);
    const isPublic = config.exposure === 'public';
    const env: Record<string, kplus.EnvValue> = {
      [E.exposure]: v(config.exposure),
      // Behind the ingress, one proxy (NGINX) sets X-Forwarded-*; a LoadBalancer is layer 4.
      [E.trustProxy]: v(isPublic ? '1' : 'false'),
      [E.hstsMaxAgeSeconds]: v(String(isPublic ? HSTS_MAX_AGE_SECONDS : 0)),
      [E.authMode]: v(config.signIn.mode),
    };
    if (config.signIn.mode === 'oidc') {
      env[E.oidcIssuerUrl] = v(config.signIn.issuerUrl);
      env[E.oidcClientId] = v(config.signIn.clientId);
      env[E.oidcRedirectUri] = v(`https://${config.ingress!.host}${AppContract.auth.callback}`);
      env[E.oidcRoleClaim] = v(config.signIn.roleClaim ?? 'roles');
      // The session key (and a client secret, if the registration has one) come from Key Vault.
      env[E.secretNameSessionKey] = v(AppContract.secretNames.sessionKey);
      env[E.secretNameOidcClientSecret] = v(AppContract.secretNames.oidcClientSecret);
    } else if (isPublic && config.signIn.allowAnonymousPublicAccess) {
      env[E.allowAnonymousPublicAccess] = v('true');
    }
    return env;
  }

  /** HTTPS only: TLS from the Key Vault certificate, HTTP redirected, only the app's public paths routed. */
  private ingress(config: OrderAppChartConfig, namespace: string): void {
    const { host, certificateName } = config.ingress!;
    const name = AppContract.appName;
    new KubeIngress(this, 'ingress', {
      metadata: {
        name,
        namespace,
        annotations: {
          [KEY_VAULT_CERT_ANNOTATION]: `${config.keyVaultUrl.replace(/\/$/, '')}/certificates/${certificateName}`,
          'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
        },
      },
      spec: {
        ingressClassName: APP_ROUTING_INGRESS_CLASS,
        // The add-on writes the certificate synced from Key Vault into this Secret.
        tls: [{ hosts: [host], secretName: `keyvault-${name}` }],
        rules: [
          {
            host,
            http: {
              paths: PUBLIC_PATHS.map((p) => ({
                path: p.path,
                pathType: p.pathType,
                backend: { service: { name: this.service.name, port: { number: SERVICE_PORT } } },
              })),
            },
          },
        ],
      },
    });
  }

  private spread(topologyKey: string): Record<string, unknown> {
    return {
      maxSkew: 1,
      topologyKey,
      // Spread when the cluster can, but never leave a pod pending for it (dev has one zone's worth of nodes).
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: this.deployment.matchLabels },
    };
  }

  /**
   * Who may reach the app port, and where the app may go, as Cilium (AKS's network policy
   * engine here) evaluates it: `ipBlock` selects only addresses outside the cluster, never
   * pods or nodes, so in-cluster peers are selected by namespace and pod labels.
   * - ingress: the application routing NGINX pods (public), or the internal clients by
   *   address (internal: the load balancer keeps it); in every environment the metrics
   *   add-on's replica pods in kube-system, by namespace and label. Kubelet probes come from the node,
   *   which Cilium always admits; `kubectl port-forward` enters the pod's own network.
   * - egress: cluster DNS; the private endpoints (Key Vault 443, SQL 1433 and the redirect
   *   ports above it); HTTPS to public addresses (Entra ID, Application Insights ingestion),
   *   nothing private besides.
   */
  private networkPolicy(config: OrderAppChartConfig, namespace: string): void {
    const appPort = [kplus.NetworkPolicyPort.tcp(AppContract.port)];
    const kubeSystem = kplus.Namespaces.select(this, 'kube-system', { names: [METRICS_AGENT_NAMESPACE] });
    const metricsAgent = kplus.Pods.select(this, 'metrics-agent', { labels: { ...METRICS_AGENT_LABELS }, namespaces: kubeSystem });
    const ingressRules: kplus.NetworkPolicyRule[] = [];
    if (config.exposure === 'public') {
      const appRouting = kplus.Namespaces.select(this, 'app-routing-namespace', { names: [APP_ROUTING_NAMESPACE] });
      ingressRules.push({ peer: appRouting, ports: appPort });
    } else if (config.exposure === 'internal') {
      config.internalClientCidrs.forEach((cidr, i) =>
        ingressRules.push({ peer: kplus.NetworkPolicyIpBlock.ipv4(this, `internal-clients-${i}`, cidr), ports: appPort }),
      );
    }
    ingressRules.push({ peer: metricsAgent, ports: appPort });
    const kubeDns = kplus.Pods.select(this, 'kube-dns', {
      labels: { 'k8s-app': 'kube-dns' },
      namespaces: kubeSystem,
    });
    new kplus.NetworkPolicy(this, 'network-policy', {
      metadata: { name: AppContract.appName, namespace },
      selector: this.deployment,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY, rules: ingressRules },
      egress: {
        default: kplus.NetworkPolicyTrafficDefault.DENY,
        rules: [
          { peer: kubeDns, ports: [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)] },
          ...config.privateEndpointCidrs.map((cidr, i) => ({
            peer: kplus.NetworkPolicyIpBlock.ipv4(this, `private-endpoints-${i}`, cidr),
            // Key Vault on 443; SQL on 1433, then Redirect moves the session to a higher port
            // on the same private endpoint.
            ports: [kplus.NetworkPolicyPort.tcp(443), kplus.NetworkPolicyPort.tcpRange(1433, 65535)],
          })),
          // Entra ID (workload identity token exchange, sign-in) and the Application Insights
          // ingestion endpoint (traces) have no fixed addresses.
          {
            peer: kplus.NetworkPolicyIpBlock.ipv4(this, 'public-https', '0.0.0.0/0', [...PRIVATE_RANGES]),
            ports: [kplus.NetworkPolicyPort.tcp(443)],
          },
        ],
      },
    });
  }
}
