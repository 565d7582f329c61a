import { Testing } from 'cdk8s';
import type { OrderAppChartConfig } from '../config/chart-config';
import { chartEnvironments } from '../config/chart-environments';
import { OrderAppChart } from '../charts/order-app-chart';
import type { K8sObject } from './k8s-schema';

/** A client id as the platform stack would output it. */
export const CLIENT_ID = '3f2a9c10-5b7e-4d21-9a0c-6e8f1d2b4c7a';

/** Each environment's config as a deploy would build it (infra outputs given, fixed image). */
export function testConfigs(overrides: Partial<OrderAppChartConfig> = {}): OrderAppChartConfig[] {
  const infraOutputs = {
    'platform-dev': { key_vault_url: 'https://orderplat-dev-kv.vault.azure.net/', app_identity_client_id: CLIENT_ID },
    'platform-prod': { key_vault_url: 'https://orderplat-prod-kv.vault.azure.net/', app_identity_client_id: CLIENT_ID },
  };
  return chartEnvironments({ env: { APP_IMAGE: 'orderplatacr.azurecr.io/order-app:20261125.1-3f2a9c1' }, infraOutputs, overrides });
}

/** The objects one environment's chart synthesizes. */
export function synthObjects(config: OrderAppChartConfig): K8sObject[] {
  return Testing.synth(new OrderAppChart(Testing.app(), `order-app-${config.environment}`, { config })) as K8sObject[];
}

/** The only object of a kind; fails the test when there is not exactly one. */
export function only(objects: readonly K8sObject[], kind: string): any {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, found ${found.length}`);
  return found[0];
}

/** The pod spec and the app container of the Deployment. */
export function podOf(objects: readonly K8sObject[]): { pod: any; container: any; template: any } {
  const template = only(objects, 'Deployment').spec.template;
  return { template, pod: template.spec, container: template.spec.containers[0] };
}

/** Prod made public: HTTPS ingress and sign-in. */
export const PUBLIC_OVERRIDES: Partial<OrderAppChartConfig> = {
  exposure: 'public',
  ingress: { host: 'orders.shop.example', certificateName: 'orders-tls' },
  signIn: { mode: 'oidc', issuerUrl: 'https://login.microsoftonline.com/tenant-id/v2.0', clientId: 'client-id-1' },
};

export { routedByIngress } from '../charts/order-app-chart';
