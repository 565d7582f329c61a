import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { AppContract } from '../../app/src/app-contract';
import { loadConfig } from '../../app/src/config';
import { makeTestApp } from '../../app/test/helpers';
import pino from 'pino';
import { oidcAuth } from '../../app/src/auth/auth';
import { APP_GID, APP_UID, PUBLIC_PATHS } from '../charts/order-app-chart';
import { CLIENT_ID, podOf, PUBLIC_OVERRIDES, routedByIngress, synthObjects, testConfigs } from './chart-helpers';
import { appRoutes } from '../../test-helpers/app-routes';

const [, prod] = testConfigs();
const objects = synthObjects(prod!);
const { pod, container } = podOf(objects);
const containerEnv = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

test('every env var the chart sets is one the app reads (or the Node.js runtime)', () => {
  const known = new Set<string>([...Object.values(AppContract.env), 'NODE_OPTIONS']);
  expect(Object.keys(containerEnv).filter((name) => !known.has(name))).toEqual([]);
});

test("the app accepts the chart's environment and reads the database settings from Key Vault", () => {
  // AZURE_CLIENT_ID is what the workload identity webhook injects from the ServiceAccount annotation.
  const config = loadConfig({ ...containerEnv, [AppContract.env.azureClientId]: CLIENT_ID });
  expect(config.env).toBe('production');
  expect(config.port).toBe(container.ports[0].containerPort);
  expect(config.host).toBe('0.0.0.0');
  expect(config.keyVault).toEqual({ url: prod!.keyVaultUrl, secretNames: AppContract.secretNames });
  expect(config.database).toMatchObject({ driver: 'mssql', auth: 'entra', clientId: CLIENT_ID });
  expect(config.shutdownDelaySeconds).toBe(0);
  expect(config.trustProxy).toBe(false);
  expect(config.logLevel).toBe(prod!.logLevel);
});

test('in the pod, traces are on and their connection string comes from the vault secret the chart names', () => {
  const config = loadConfig({ ...containerEnv, [AppContract.env.azureClientId]: CLIENT_ID });
  expect(config.tracing).toEqual({ enabled: true, connectionString: undefined, samplingPercent: 100 });
  expect(containerEnv[AppContract.env.secretNameAppInsightsConnectionString]).toBe(AppContract.secretNames.appInsightsConnectionString);
  expect(containerEnv[AppContract.env.appInsightsConnectionString]).toBeUndefined();
});

test("the probe paths are the app's: liveness and readiness answer 200 when ready, readiness 503 when draining", async () => {
  const { app, readiness } = await makeTestApp();
  expect((await request(app).get(container.livenessProbe.httpGet.path)).status).toBe(200);
  expect((await request(app).get(container.readinessProbe.httpGet.path)).status).toBe(200);
  expect((await request(app).get(container.startupProbe.httpGet.path)).status).toBe(200);
  readiness.markDraining();
  expect((await request(app).get(container.readinessProbe.httpGet.path)).status).toBe(503);
  expect((await request(app).get(container.livenessProbe.httpGet.path)).status).toBe(200);
});

test("the pod runs as the image's user and the container port is the image's", () => {
  const dockerfile = readFileSync(join(__dirname, '../../app/Dockerfile'), 'utf8');
  expect(dockerfile).toContain(`USER ${APP_UID}:${APP_GID}`);
  expect(dockerfile).toContain(`EXPOSE ${container.ports[0].containerPort}`);
  expect(pod.securityContext.runAsUser).toBe(APP_UID);
});

test("the grace period covers the preStop pause and the app's drain deadline", () => {
  const preStop = Number(container.lifecycle.preStop.exec.command[1]);
  expect(preStop).toBe(AppContract.shutdown.preStopSeconds);
  expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + AppContract.shutdown.drainTimeoutSeconds);
});

test('the public ingress routes every page, API, static and sign-in path the app serves, and none of its probes or metrics', async () => {
  const logger = pino({ level: 'silent' });
  const auth = oidcAuth(
    {
      mode: 'oidc',
      issuerUrl: 'https://login.example/',
      clientId: 'c',
      redirectUri: 'https://orders.example/auth/callback',
      roleClaim: 'roles',
      viewerValues: ['v'],
      editorValues: ['e'],
      sessionTtlMinutes: 5,
    },
    {
      logger,
      sessionSecret: 'x'.repeat(32),
      revocations: { migrate: async () => undefined, revoke: async () => undefined, isRevoked: async () => false },
    },
  );
  const { app } = await makeTestApp({ auth });
  const routes = appRoutes(app as never);
  const internal = Object.values(AppContract.paths) as string[];
  expect(routes).toEqual(expect.arrayContaining([...internal, '/', '/orders/new', '/orders.csv', '/api/orders', AppContract.auth.callback]));
  const concrete = (r: string) => r.replace(/:\w+/g, 'x');
  for (const route of routes) {
    expect({ route, routed: routedByIngress(PUBLIC_PATHS, concrete(route)) }).toEqual({ route, routed: !internal.includes(route) });
  }
  expect(routedByIngress(PUBLIC_PATHS, '/static/app.css')).toBe(true);
});

test("a public environment's env is one the app accepts in production (sign-in on, behind the proxy)", () => {
  const [, p] = testConfigs(PUBLIC_OVERRIDES);
  const { container: c } = podOf(synthObjects(p!));
  const env = Object.fromEntries((c.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
  const config = loadConfig({ ...env, [AppContract.env.azureClientId]: CLIENT_ID });
  expect(config).toMatchObject({ exposure: 'public', trustProxy: 1, hstsMaxAgeSeconds: 31_536_000 });
  expect(config.auth).toMatchObject({ mode: 'oidc', clientId: 'client-id-1', redirectUri: 'https://orders.shop.example/auth/callback' });
  expect(config.keyVault?.secretNames.sessionKey).toBe(AppContract.secretNames.sessionKey);
});
