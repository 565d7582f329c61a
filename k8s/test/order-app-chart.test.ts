import { AppContract } from '../../app/src/app-contract';
import {
  APP_ROUTING_INGRESS_CLASS,
  APP_ROUTING_NAMESPACE,
  AZURE_INTERNAL_LB_ANNOTATION,
  HTTP_PORT_NAME,
  KEY_VAULT_CERT_ANNOTATION,
  METRICS_AGENT_LABELS,
  METRICS_AGENT_NAMESPACE,
  POD_MONITOR_API_VERSION,
  PUBLIC_PATHS,
  WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION,
  WORKLOAD_IDENTITY_LABEL,
} from '../charts/order-app-chart';
import { synthManifest } from '../synth-manifests';
import { CLIENT_ID, only, podOf, PUBLIC_OVERRIDES, routedByIngress, synthObjects, testConfigs } from './chart-helpers';
import { schemaErrors } from './k8s-schema';

const [dev, prod] = testConfigs();
const METRICS_AGENT_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': METRICS_AGENT_NAMESPACE } },
  podSelector: { matchLabels: { ...METRICS_AGENT_LABELS } },
};
const METRICS_AGENT_RULE = { from: [METRICS_AGENT_PEER], ports: [{ port: AppContract.port, protocol: 'TCP' }] };

describe.each([
  ['dev', dev!],
  ['prod', prod!],
] as const)('%s manifest', (_name, config) => {
  const objects = synthObjects(config);
  const { pod, container, template } = podOf(objects);
  const deployment = only(objects, 'Deployment');
  const service = only(objects, 'Service');
  const netpol = only(objects, 'NetworkPolicy');

  test('matches the snapshot', () => {
    expect(synthManifest(config)).toMatchSnapshot();
  });

  test('every object is valid against the Kubernetes API schema', () => {
    expect(objects.flatMap(schemaErrors)).toEqual([]);
  });

  test('has the namespace, ServiceAccount, Deployment, Service, HPA, PDB, NetworkPolicy and PodMonitor, nothing in default', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      [
        'Deployment',
        'HorizontalPodAutoscaler',
        'Namespace',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'PodMonitor',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    expect(only(objects, 'Namespace').metadata.name).toBe(AppContract.kubernetes.namespace);
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata?.namespace).toBe(AppContract.kubernetes.namespace);
  });

  test("a PodMonitor of the metrics add-on's API group scrapes the app's pods at the contract's metrics path, on the container's port", () => {
    const monitor = only(objects, 'PodMonitor');
    expect(monitor.apiVersion).toBe(POD_MONITOR_API_VERSION);
    expect(monitor.metadata).toMatchObject({ name: AppContract.appName, namespace: AppContract.kubernetes.namespace });
    expect(monitor.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: HTTP_PORT_NAME, path: AppContract.paths.metrics, scheme: 'http', interval: '30s' }]);
    expect(container.ports).toContainEqual(expect.objectContaining({ name: HTTP_PORT_NAME, containerPort: AppContract.port }));
  });

  test('the namespace enforces the restricted Pod Security Standard', () => {
    expect(only(objects, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('rolls out with maxSurge 1 and maxUnavailable 0', () => {
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('leaves the replica count to the HPA, whose minimum is at least 2', () => {
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = only(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.minReplicas).toBe(config.replicas);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBe(config.maxReplicas);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: config.targetCpuUtilizationPercent } } },
    ]);
  });

  test('readiness probes /readyz, liveness /healthz, and a startup probe guards the first start', () => {
    expect(container.readinessProbe.httpGet).toMatchObject({ path: AppContract.paths.readiness, port: AppContract.port });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: AppContract.paths.liveness, port: AppContract.port });
    expect(container.readinessProbe.httpGet.path).not.toBe(container.livenessProbe.httpGet.path);
    expect(container.startupProbe.httpGet.path).toBe(AppContract.paths.liveness);
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(60);
  });

  test("requests and limits CPU, memory and ephemeral storage at this app's size", () => {
    const r = config.resources;
    expect(container.resources).toEqual({
      requests: { cpu: `${r.cpuRequestMillis}m`, memory: `${r.memoryRequestMiB}Mi`, 'ephemeral-storage': `${r.ephemeralStorageRequestMiB}Mi` },
      limits: { cpu: `${r.cpuLimitMillis}m`, memory: `${r.memoryLimitMiB}Mi`, 'ephemeral-storage': `${r.ephemeralStorageLimitMiB}Mi` },
    });
    expect(r.memoryLimitMiB).toBeLessThanOrEqual(512);
    expect(r.cpuRequestMillis).toBeLessThanOrEqual(500);
  });

  test('caps the V8 heap below the memory limit', () => {
    const opts = container.env.find((e: any) => e.name === 'NODE_OPTIONS').value as string;
    const heap = Number(/--max-old-space-size=(\d+)/.exec(opts)![1]);
    expect(heap).toBeLessThan(config.resources.memoryLimitMiB);
    expect(heap).toBeGreaterThanOrEqual(config.resources.memoryLimitMiB * 0.5);
  });

  test('runs as a numeric non-root user and group with a read-only root and a writable /tmp', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const tmpMount = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
    const tmpVolume = pod.volumes.find((v: any) => v.name === tmpMount.name);
    expect(tmpVolume.emptyDir.sizeLimit).toBe('64Mi');
  });

  test("the preStop pause and the grace period follow the app's drain timings", () => {
    expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', String(AppContract.shutdown.preStopSeconds)]);
    expect(pod.terminationGracePeriodSeconds).toBe(AppContract.shutdown.preStopSeconds + AppContract.shutdown.drainTimeoutSeconds);
    expect(container.env).toContainEqual({ name: AppContract.env.shutdownDelaySeconds, value: '0' });
  });

  test('spreads pods across zones and nodes without blocking scheduling', () => {
    const keys = pod.topologySpreadConstraints.map((c: any) => c.topologyKey);
    expect(keys).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const c of pod.topologySpreadConstraints) {
      expect(c).toMatchObject({
        maxSkew: 1,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: deployment.spec.selector.matchLabels },
      });
    }
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe(
      'kubernetes.io/hostname',
    );
  });

  test('uses workload identity: pod label and the app identity client id on its ServiceAccount', () => {
    expect(template.metadata.labels[WORKLOAD_IDENTITY_LABEL]).toBe('true');
    const sa = only(objects, 'ServiceAccount');
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
    expect(sa.metadata.name).toBe(AppContract.kubernetes.serviceAccount);
    expect(sa.metadata.annotations[WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]).toBe(CLIENT_ID);
    expect(sa.automountServiceAccountToken).toBe(false);
  });

  test('passes the Key Vault URL and secret names, never a secret', () => {
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    expect(env[AppContract.env.keyVaultUrl]).toBe(config.keyVaultUrl);
    expect(env[AppContract.env.secretNameServer]).toBe(AppContract.secretNames.server);
    expect(env[AppContract.env.secretNamePassword]).toBe(AppContract.secretNames.password);
    expect(env[AppContract.env.mssqlPassword]).toBeUndefined();
    expect(env[AppContract.env.mssqlConnectionString]).toBeUndefined();
    expect(container.env.every((e: any) => e.valueFrom === undefined)).toBe(true);
    expect(container.envFrom).toBeUndefined();
  });

  test('the Service maps port 80 to the container port and selects the pods', () => {
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: AppContract.port, protocol: 'TCP' }]);
    expect(container.ports).toEqual([{ containerPort: AppContract.port, name: 'http', protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(template.metadata.labels).toMatchObject(service.spec.selector);
  });

  test('the PDB allows one pod down at a time and still lets nodes drain', () => {
    const pdb = only(objects, 'PodDisruptionBudget');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeUndefined();
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  test('the NetworkPolicy selects the app, admits the clients of its exposure, and lets out only DNS, the private endpoints and public HTTPS', () => {
    expect(netpol.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(netpol.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    const clients = config.exposure === 'internal' ? [[{ ipBlock: { cidr: '10.0.0.0/8' } }]] : [];
    expect((netpol.spec.ingress ?? []).map((r: any) => r.from)).toEqual([...clients, [METRICS_AGENT_PEER]]);
    const egress = netpol.spec.egress as any[];
    expect(egress).toHaveLength(3);
    expect(egress[0].ports).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]);
    expect(egress[0].to).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ]);
    expect(egress[1]).toEqual({
      ports: [
        { port: 443, protocol: 'TCP' },
        { port: 1433, endPort: 65535, protocol: 'TCP' },
      ],
      to: [{ ipBlock: { cidr: config.privateEndpointCidrs[0] } }],
    });
    expect(egress[2]).toEqual({
      ports: [{ port: 443, protocol: 'TCP' }],
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
    });
  });
});

test('dev is a ClusterIP Service whose NetworkPolicy admits only the metrics agent (and probes), prod an internal Azure LoadBalancer', () => {
  expect(only(synthObjects(dev!), 'Service').spec.type).toBe('ClusterIP');
  expect(only(synthObjects(dev!), 'NetworkPolicy').spec.ingress).toEqual([METRICS_AGENT_RULE]);
  const prodService = only(synthObjects(prod!), 'Service');
  expect(prodService.spec.type).toBe('LoadBalancer');
  expect(prodService.metadata.annotations[AZURE_INTERNAL_LB_ANNOTATION]).toBe('true');
  expect(prodService.spec.externalTrafficPolicy).toBe('Local');
});

test('the internal LoadBalancer and the NetworkPolicy admit the same internal clients, by address', () => {
  const [config] = testConfigs({ exposure: 'internal', internalClientCidrs: ['10.50.0.0/16', '192.168.10.0/24'] });
  const objects = synthObjects(config!);
  expect(only(objects, 'Service').spec.loadBalancerSourceRanges).toEqual(['10.50.0.0/16', '192.168.10.0/24']);
  expect(only(objects, 'NetworkPolicy').spec.ingress).toEqual([
    { from: [{ ipBlock: { cidr: '10.50.0.0/16' } }], ports: [{ port: AppContract.port, protocol: 'TCP' }] },
    { from: [{ ipBlock: { cidr: '192.168.10.0/24' } }], ports: [{ port: AppContract.port, protocol: 'TCP' }] },
    METRICS_AGENT_RULE,
  ]);
});

describe('public exposure', () => {
  const [, prodPublic] = testConfigs(PUBLIC_OVERRIDES);
  const objects = synthObjects(prodPublic!);
  const ingress = only(objects, 'Ingress');
  const { container } = podOf(objects);
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));

  test('admits the application routing NGINX pods to the app port by namespace, never by address', () => {
    expect(only(objects, 'NetworkPolicy').spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': APP_ROUTING_NAMESPACE } }, podSelector: {} }],
        ports: [{ port: AppContract.port, protocol: 'TCP' }],
      },
      METRICS_AGENT_RULE,
    ]);
  });

  test('is never a plain-HTTP LoadBalancer: the Service stays ClusterIP behind the ingress', () => {
    const service = only(objects, 'Service');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.externalTrafficPolicy).toBeUndefined();
    expect(objects.flatMap(schemaErrors)).toEqual([]);
  });

  test('the ingress uses the application routing add-on, TLS from the Key Vault certificate, HTTP redirected', () => {
    expect(ingress.spec.ingressClassName).toBe(APP_ROUTING_INGRESS_CLASS);
    expect(ingress.metadata.annotations).toEqual({
      [KEY_VAULT_CERT_ANNOTATION]: 'https://orderplat-prod-kv.vault.azure.net/certificates/orders-tls',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
    });
    expect(ingress.spec.tls).toEqual([{ hosts: ['orders.shop.example'], secretName: 'keyvault-order-app' }]);
    expect(ingress.spec.rules).toHaveLength(1);
    expect(ingress.spec.rules[0].host).toBe('orders.shop.example');
  });

  test("routes only the app's public paths to port 80, never the probes or /metrics", () => {
    const paths = ingress.spec.rules[0].http.paths as any[];
    expect(paths.map((p) => [p.path, p.pathType])).toEqual(PUBLIC_PATHS.map((p) => [p.path, p.pathType]));
    for (const p of paths) expect(p.backend).toEqual({ service: { name: AppContract.appName, port: { number: 80 } } });
    for (const internal of Object.values(AppContract.paths)) expect(routedByIngress(paths, internal)).toBe(false);
    expect(routedByIngress(paths, '/orders/new')).toBe(true);
    expect(routedByIngress(paths, '/ordersx')).toBe(false);
  });

  test('tells the app it is behind one proxy, to send HSTS, and how to sign users in', () => {
    expect(env).toMatchObject({
      EXPOSURE: 'public',
      TRUST_PROXY: '1',
      HSTS_MAX_AGE_SECONDS: '31536000',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER_URL: 'https://login.microsoftonline.com/tenant-id/v2.0',
      OIDC_CLIENT_ID: 'client-id-1',
      OIDC_REDIRECT_URI: 'https://orders.shop.example/auth/callback',
      KEY_VAULT_SECRET_SESSION_KEY: AppContract.secretNames.sessionKey,
    });
    expect(env.SESSION_SECRET).toBeUndefined();
    expect(env.OIDC_CLIENT_SECRET).toBeUndefined();
  });
});

test('the private-endpoint egress rule follows the private-endpoint subnet from the infra config', () => {
  const [config] = testConfigs({ privateEndpointCidrs: ['10.9.8.0/24'] });
  const egress = only(synthObjects(config!), 'NetworkPolicy').spec.egress as any[];
  expect(egress[1].to).toEqual([{ ipBlock: { cidr: '10.9.8.0/24' } }]);
});

test('the schema check rejects a misspelt field, a wrong type and a missing required field', () => {
  const deployment = only(synthObjects(dev!), 'Deployment');
  const c = deployment.spec.template.spec.containers[0];
  c.imagePullPolcy = 'Always';
  c.ports[0].containerPort = '5000';
  delete deployment.spec.selector;
  const errors = schemaErrors(deployment).join('\n');
  expect(errors).toMatch(/containers\/0\/imagePullPolcy: unknown field/);
  expect(errors).toMatch(/containerPort must be integer/);
  expect(errors).toMatch(/spec must have required property selector/);
});

test('the PodMonitor check rejects a misspelt field, a bad interval and a missing selector', () => {
  const monitor = JSON.parse(JSON.stringify(only(synthObjects(dev!), 'PodMonitor')));
  monitor.spec.podMetricsEndpoints[0].intervall = '30s';
  monitor.spec.podMetricsEndpoints[0].interval = '30 seconds';
  delete monitor.spec.selector;
  const errors = schemaErrors(monitor).join('\n');
  expect(errors).toContain('/spec/podMetricsEndpoints/0/intervall: unknown field');
  expect(errors).toContain('/spec/podMetricsEndpoints/0/interval: must be a Prometheus duration');
  expect(errors).toContain('/spec/selector: required');
});
