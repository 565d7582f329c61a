import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PLACEHOLDER_CLIENT_ID } from '../config/chart-environments';
import { GENERATED_HEADER, MANIFEST_FILE_NAME } from '../synth-manifests';
import { CLIENT_ID } from './chart-helpers';
import { schemaErrors, type K8sObject } from './k8s-schema';

const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
let outdir: string;

beforeEach(() => {
  outdir = mkdtempSync(join(tmpdir(), 'synth-k8s-'));
});
afterEach(() => rmSync(outdir, { recursive: true, force: true }));

function synth(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { APP_IMAGE: _image, CDK8S_OUTDIR: _outdir, ...env } = process.env;
  const r = spawnSync(TSX, ['k8s/main.ts', '--outdir', outdir, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const manifest = (env: string): string => readFileSync(join(outdir, env, MANIFEST_FILE_NAME), 'utf8');

test('writes a valid application-manifest.yaml per environment, marked as generated', () => {
  const r = synth();
  expect(r.status).toBe(0);
  for (const env of ['dev', 'prod']) {
    const text = manifest(env);
    expect(text.startsWith(GENERATED_HEADER)).toBe(true);
    const docs = parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
    expect(docs.map((d) => d.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'PodMonitor',
    ]);
    expect(docs.flatMap(schemaErrors)).toEqual([]);
  }
  expect(r.stderr).toContain('placeholder client id');
  expect(manifest('dev')).toContain(PLACEHOLDER_CLIENT_ID);
});

test('takes the image and the infra outputs from the command line', () => {
  const outputs = join(outdir, 'outputs.json');
  writeFileSync(
    outputs,
    JSON.stringify({ 'platform-prod': { key_vault_url: 'https://acme-prod-kv.vault.azure.net/', app_identity_client_id: CLIENT_ID } }),
  );
  const r = synth('--env', 'prod', '--image', 'acme.azurecr.io/order-app:77-abc1234', '--infra-outputs', outputs);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
  const text = manifest('prod');
  expect(text).toContain('image: acme.azurecr.io/order-app:77-abc1234');
  expect(text).toContain(`azure.workload.identity/client-id: ${CLIENT_ID}`);
  expect(text).toContain('value: https://acme-prod-kv.vault.azure.net/');
  expect(existsSync(join(outdir, 'dev'))).toBe(false);
});

test('an image tagged latest fails with exit 78, names the setting and writes nothing', () => {
  const r = synth('--image', 'acme.azurecr.io/order-app:latest');
  expect(r.status).toBe(78);
  expect(r.stderr).toContain('image must not use the tag "latest"');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(join(outdir, 'dev'))).toBe(false);
});

test('infra outputs missing an environment fail without touching existing manifests', () => {
  expect(synth().status).toBe(0);
  const before = manifest('prod');
  const outputs = join(outdir, 'outputs.json');
  writeFileSync(
    outputs,
    JSON.stringify({ 'platform-prod': { key_vault_url: 'https://a-prod-kv.vault.azure.net/', app_identity_client_id: CLIENT_ID } }),
  );
  const r = synth('--infra-outputs', outputs);
  expect(r.status).toBe(78);
  expect(r.stderr).toContain('no outputs for stack "platform-dev"');
  expect(manifest('prod')).toBe(before);
});

test('an unknown environment or flag is refused with the allowed values', () => {
  const env = synth('--env', 'staging');
  expect(env.status).toBe(78);
  expect(env.stderr).toContain('--env must be one of dev, prod; got "staging"');
  const flag = synth('--replicas', '3');
  expect(flag.status).toBe(1);
  expect(flag.stderr).toContain('Unknown argument "--replicas"');
});

test('--deploy-image requires a digest and writes it into the manifest', () => {
  const pinned = `acme.azurecr.io/order-app@sha256:${'d'.repeat(64)}`;
  const refused = synth('--env', 'dev', '--deploy-image', 'acme.azurecr.io/order-app:77-abc1234');
  expect(refused.status).toBe(78);
  expect(refused.stderr).toMatch(/image must pin the image by digest/);
  const r = synth('--env', 'dev', '--deploy-image', pinned);
  expect(r.status).toBe(0);
  expect(manifest('dev')).toContain(`image: ${pinned}`);
  expect(synth('--image', 'acme.azurecr.io/order-app:1', '--deploy-image', pinned).stderr).toMatch(/not both/);
});
