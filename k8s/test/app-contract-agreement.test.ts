import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { AppContract } from '../../app/src/app-contract';
import { loadConfig } from '../../app/src/config';
import { makeTestApp } from '../../app/test/helpers';
import { environments } from '../../infra/config/environment-config';
import { all, synthEnvironment } from '../../infra/test/synth-helpers';
import { APP_GID, APP_UID } from '../charts/order-app-chart';
import { CLIENT_ID, only, podOf, synthObjects, testConfigs } from './chart-helpers';

const [, prod] = testConfigs();
const objects = synthObjects(prod!);
const { pod, container } = podOf(objects);
const containerEnv = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

test('every env var the chart sets is one the app reads (or the Node.js runtime)', () => {
  const known = new Set<string>([...Object.values(AppContract.env), 'NODE_OPTIONS']);
  expect(Object.keys(containerEnv).filter((name) => !known.has(name))).toEqual([]);
});

test('the app accepts the chart\'s environment and reads the database settings from Key Vault', () => {
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

test('the probe paths are the app\'s: liveness and readiness answer 200 when ready, readiness 503 when draining', async () => {
  const { app, readiness } = await makeTestApp();
  expect((await request(app).get(container.livenessProbe.httpGet.path)).status).toBe(200);
  expect((await request(app).get(container.readinessProbe.httpGet.path)).status).toBe(200);
  expect((await request(app).get(container.startupProbe.httpGet.path)).status).toBe(200);
  readiness.markDraining();
  expect((await request(app).get(container.readinessProbe.httpGet.path)).status).toBe(503);
  expect((await request(app).get(container.livenessProbe.httpGet.path)).status).toBe(200);
});

test('the pod runs as the image\'s user and the container port is the image\'s', () => {
  const dockerfile = readFileSync(join(__dirname, '../../app/Dockerfile'), 'utf8');
  expect(dockerfile).toContain(`USER ${APP_UID}:${APP_GID}`);
  expect(dockerfile).toContain(`EXPOSE ${container.ports[0].containerPort}`);
  expect(pod.securityContext.runAsUser).toBe(APP_UID);
});

test('the ServiceAccount is the subject the infra federates the app identity with', () => {
  const sa = only(objects, 'ServiceAccount');
  const infra = environments({}).find((e) => e.name === 'prod')!;
  const { platform } = synthEnvironment(infra);
  const credentials = all(platform.resource, 'azurerm_federated_identity_credential') as { subject: string }[];
  expect(credentials.map((c) => c.subject)).toEqual([`system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}`]);
});

test('the grace period covers the preStop pause and the app\'s drain deadline', () => {
  const preStop = Number(container.lifecycle.preStop.exec.command[1]);
  expect(preStop).toBe(AppContract.shutdown.preStopSeconds);
  expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + AppContract.shutdown.drainTimeoutSeconds);
});
