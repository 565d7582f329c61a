import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_FILE_NAME } from '../../k8s/synth-manifests';
import { synthesizeFiles } from '../synthesize';
import { DEPLOY_ENV } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'check-deploy-'));
synthesizeFiles(DEPLOY_ENV, 'dev', dir);
const run = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(
    process.execPath,
    [
      require.resolve('tsx/cli'),
      'deploy-model/main.ts',
      '--env',
      'dev',
      '--stacks-dir',
      join(dir, 'stacks'),
      '--manifests',
      join(dir, 'k8s'),
      ...args,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    },
  );

test('npm run check:deploy prints the flow, permission and write tables and exits 0 when everything holds', () => {
  const r = run(DEPLOY_ENV);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('# Network flows (dev)');
  expect(r.stdout).toMatch(/ok +internet-ssh .*deny-all-inbound \(4096\)/);
  expect(r.stdout).toContain('# Permissions (dev)');
  expect(r.stdout).toContain('dev: every flow, permission and write order holds.');
});

test('a manifest that breaks a flow makes it exit 1, naming the flow', () => {
  const file = join(dir, 'k8s', 'dev', MANIFEST_FILE_NAME);
  const original = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, original.replace('azure.workload.identity/use: "true"', 'azure.workload.identity/use: "false"'));
    const r = run(DEPLOY_ENV);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      'flow app-key-vault (pod orders/order-app -> Key Vault :443) should be open but is closed: the pods lack azure.workload.identity/use: "true"',
    );
  } finally {
    writeFileSync(file, original);
  }
});

test("stacks synthesized with other principals than the shell's are refused with exit 2", () => {
  const r = run({ ...DEPLOY_ENV, DEPLOYER_OBJECT_ID: '11111111-2222-3333-4444-555555555555' });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("platform-dev was synthesized with other DEPLOYER_OBJECT_ID than this shell's");
});

test.each([
  ['ADMIN_GROUP_OBJECT_ID', '22222222-3333-4444-5555-666666666666'],
  ['SQL_ADMIN_GROUP_OBJECT_ID', '33333333-4444-5555-6666-777777777777'],
  ['ADMIN_CIDRS', '198.51.100.0/28'],
  ['GLOBAL_NAME_PREFIX', 'otherprefix'],
])("stacks synthesized with another %s than the shell's are refused with exit 2", (variable, value) => {
  const r = run({ ...DEPLOY_ENV, [variable]: value });
  expect(r.stderr).toContain(`platform-dev was synthesized with other ${variable} than this shell's`);
  expect(r.status).toBe(2);
});
