import { readFileSync } from 'node:fs';
import * as ts from 'typescript';
import { Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';

/** A manifest object as synthesized. */
export type K8sObject = { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } } & Record<string, unknown>;

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

/** kubernetes-models classes (types, formats, required fields) and the cdk8s-plus-27 API interface (field names) per kind. */
const KINDS: Record<string, { model: ModelClass; props: string }> = {
  'v1/Namespace': { model: Namespace as unknown as ModelClass, props: 'KubeNamespaceProps' },
  'v1/ServiceAccount': { model: ServiceAccount as unknown as ModelClass, props: 'KubeServiceAccountProps' },
  'v1/Service': { model: Service as unknown as ModelClass, props: 'KubeServiceProps' },
  'apps/v1/Deployment': { model: Deployment as unknown as ModelClass, props: 'KubeDeploymentProps' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler as unknown as ModelClass, props: 'KubeHorizontalPodAutoscalerV2Props' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget as unknown as ModelClass, props: 'KubePodDisruptionBudgetProps' },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy as unknown as ModelClass, props: 'KubeNetworkPolicyProps' },
  'networking.k8s.io/v1/Ingress': { model: Ingress as unknown as ModelClass, props: 'KubeIngressProps' },
};

/**
 * The metrics add-on's PodMonitor (`azmonitoring.coreos.com/v1`): no generated types exist, so
 * its fields are restated from the CRD the add-on installs (Azure/prometheus-collector,
 * ama-metrics-podmonitor-crd.yaml): the spec's and an endpoint's field names, `selector`
 * required, `port` and `path` strings, `scheme` http or https, `interval` a Prometheus duration.
 */
const POD_MONITOR_SPEC_FIELDS = new Set([
  'attachMetadata', 'bodySizeLimit', 'convertClassicHistogramsToNHCB', 'fallbackScrapeProtocol', 'jobLabel', 'keepDroppedTargets',
  'labelLimit', 'labelNameLengthLimit', 'labelValueLengthLimit', 'namespaceSelector', 'nativeHistogramBucketLimit',
  'nativeHistogramMinBucketFactor', 'podMetricsEndpoints', 'podTargetLabels', 'sampleLimit', 'scrapeClass', 'scrapeClassicHistograms',
  'scrapeProtocols', 'selector', 'selectorMechanism', 'targetLimit',
]); // prettier-ignore
const POD_METRICS_ENDPOINT_FIELDS = new Set([
  'authorization', 'basicAuth', 'bearerTokenSecret', 'enableHttp2', 'filterRunning', 'followRedirects', 'honorLabels', 'honorTimestamps',
  'interval', 'metricRelabelings', 'noProxy', 'oauth2', 'params', 'path', 'port', 'portNumber', 'proxyConnectHeader',
  'proxyFromEnvironment', 'proxyUrl', 'relabelings', 'scheme', 'scrapeTimeout', 'targetPort', 'tlsConfig', 'trackTimestampsStaleness',
]); // prettier-ignore
const PROMETHEUS_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

function podMonitorErrors(obj: K8sObject): string[] {
  const errors: string[] = [];
  const { apiVersion: _a, kind: _k, spec, ...rest } = obj as K8sObject & { spec?: Record<string, any> };
  unknownFields(rest, { kind: 'object', name: 'KubeNamespaceProps' }, '', errors);
  if (!spec?.selector) errors.push('/spec/selector: required');
  for (const key of Object.keys(spec ?? {})) if (!POD_MONITOR_SPEC_FIELDS.has(key)) errors.push(`/spec/${key}: unknown field (not in PodMonitor)`);
  if (spec?.selector) unknownFields(spec.selector, { kind: 'object', name: 'LabelSelector' }, '/spec/selector', errors);
  ((spec?.podMetricsEndpoints ?? []) as Record<string, unknown>[]).forEach((e, i) => {
    const at = `/spec/podMetricsEndpoints/${i}`;
    for (const key of Object.keys(e))
      if (!POD_METRICS_ENDPOINT_FIELDS.has(key)) errors.push(`${at}/${key}: unknown field (not in PodMetricsEndpoint)`);
    for (const key of ['port', 'path'] as const)
      if (e[key] !== undefined && typeof e[key] !== 'string') errors.push(`${at}/${key}: must be a string`);
    if (e.scheme !== undefined && e.scheme !== 'http' && e.scheme !== 'https') errors.push(`${at}/scheme: must be http or https`);
    for (const key of ['interval', 'scrapeTimeout'] as const)
      if (e[key] !== undefined && !PROMETHEUS_DURATION.test(String(e[key]))) errors.push(`${at}/${key}: must be a Prometheus duration such as 30s`);
  });
  return errors.map((e) => `azmonitoring.coreos.com/v1/PodMonitor ${obj.metadata?.name ?? ''}: ${e}`);
}

/** A field's shape: a leaf value, a nested API type, a list or a string-keyed map of one. */
type Shape = { kind: 'leaf' } | { kind: 'object'; name: string } | { kind: 'array'; of: Shape } | { kind: 'map'; of: Shape };

let fieldsByType: Map<string, Map<string, Shape>> | undefined;

/**
 * JSON field names where they differ from the camel-case property names (`setHostnameAsFqdn`
 * is `setHostnameAsFQDN` on the wire), from the generated serializers `toJson_<Type>`.
 */
function jsonNames(): Map<string, Map<string, string>> {
  const js = readFileSync(require.resolve('cdk8s-plus-27/lib/imports/k8s.js'), 'utf8');
  const names = new Map<string, Map<string, string>>();
  for (const chunk of js.split('function toJson_').slice(1)) {
    const type = chunk.slice(0, chunk.indexOf('('));
    const map = new Map<string, string>();
    for (const m of chunk.slice(0, chunk.indexOf('\n}')).matchAll(/'([^']+)': [^\n]*?obj\.(\w+)/g)) {
      if (m[1] !== m[2]) map.set(m[2]!, m[1]!);
    }
    names.set(type, map);
  }
  return names;
}

/**
 * The field names of every Kubernetes API type, read from the interfaces cdk8s-plus-27
 * generated from the Kubernetes OpenAPI spec. kubernetes-models' validators allow unknown
 * fields (the API server drops them silently), so this is what catches a misspelt one.
 */
function apiTypes(): Map<string, Map<string, Shape>> {
  if (fieldsByType) return fieldsByType;
  const wire = jsonNames();
  const file = require.resolve('cdk8s-plus-27/lib/imports/k8s.d.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const interfaces = new Set<string>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.add(node.name.text);
  });
  const shapeOf = (type: ts.TypeNode): Shape => {
    if (ts.isArrayTypeNode(type)) return { kind: 'array', of: shapeOf(type.elementType) };
    if (ts.isTypeLiteralNode(type)) {
      const index = type.members.find(ts.isIndexSignatureDeclaration);
      return index?.type ? { kind: 'map', of: shapeOf(index.type) } : { kind: 'leaf' };
    }
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && interfaces.has(type.typeName.text)) {
      return { kind: 'object', name: type.typeName.text };
    }
    return { kind: 'leaf' }; // string, number, boolean, any, unions, Quantity, IntOrString
  };
  fieldsByType = new Map();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    const fields = new Map<string, Shape>();
    const renamed = wire.get(node.name.text);
    for (const member of node.members) {
      if (ts.isPropertySignature(member) && member.type && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) {
        fields.set(renamed?.get(member.name.text) ?? member.name.text, shapeOf(member.type));
      }
    }
    fieldsByType!.set(node.name.text, fields);
  });
  return fieldsByType;
}

function unknownFields(value: unknown, shape: Shape, path: string, errors: string[]): void {
  if (value === null || value === undefined || shape.kind === 'leaf') return;
  if (shape.kind === 'array') {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, shape.of, `${path}/${i}`, errors));
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return; // wrong types are kubernetes-models' job
  if (shape.kind === 'map') {
    for (const [k, v] of Object.entries(value)) unknownFields(v, shape.of, `${path}/${k}`, errors);
    return;
  }
  const fields = apiTypes().get(shape.name)!;
  for (const [k, v] of Object.entries(value)) {
    const field = fields.get(k);
    if (!field) errors.push(`${path}/${k}: unknown field (not in ${shape.name.replace(/^Kube|Props$/g, '')})`);
    else unknownFields(v, field, `${path}/${k}`, errors);
  }
}

/**
 * Every problem the Kubernetes API schema finds in one object: wrong types and missing
 * required fields (kubernetes-models' validators), unknown or misspelt fields, and kinds
 * this repo does not expect. Empty when the object is valid.
 */
export function schemaErrors(obj: K8sObject): string[] {
  const id = `${obj.apiVersion}/${obj.kind}`;
  if (id === 'azmonitoring.coreos.com/v1/PodMonitor') return podMonitorErrors(obj);
  const kind = KINDS[id];
  if (!kind) return [`${id}: not a kind the chart is expected to produce`];
  const errors: string[] = [];
  try {
    new kind.model(obj as never).validate();
  } catch (err) {
    errors.push(`${id} ${obj.metadata?.name ?? ''}: ${(err as Error).message}`);
  }
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  const found: string[] = [];
  unknownFields(rest, { kind: 'object', name: kind.props }, '', found);
  errors.push(...found.map((e) => `${id} ${obj.metadata?.name ?? ''}: ${e}`));
  return errors;
}
