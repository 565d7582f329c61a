import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armEnvFromAzureCli, isStale, parseLockError } from '../scripts/terraform-stacks';

const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

const LOCK_OUTPUT = (created: string) => `
Error: Error acquiring the state lock

Error message: state blob is already locked
Lock Info:
  ID:        9db590f1-b6fe-c5f2-2678-8804f089deba
  Path:      tfstate/platform-dev.tfstate
  Operation: OperationTypeApply
  Who:       vsts@agent-42
  Version:   1.9.8
  Created:   ${created}
  Info:
`;

test('reads the lock id, holder and creation time from Terraform\'s lock error', () => {
  expect(parseLockError(LOCK_OUTPUT('2026-11-25 10:19:30.123456789 +0000 UTC'))).toEqual({
    id: '9db590f1-b6fe-c5f2-2678-8804f089deba',
    who: 'vsts@agent-42',
    created: new Date('2026-11-25T10:19:30.123Z'),
  });
  expect(parseLockError('Error: Invalid provider configuration')).toBeUndefined();
});

test('a lock is stale only when older than the threshold, and never when its age is unknown or the threshold is 0', () => {
  const lock = { id: 'x', created: new Date('2026-11-25T10:00:00Z') };
  expect(isStale(lock, new Date('2026-11-25T11:00:00Z'), 60)).toBe(true);
  expect(isStale(lock, new Date('2026-11-25T10:59:00Z'), 60)).toBe(false);
  expect(isStale(lock, new Date('2026-11-26T10:00:00Z'), 0)).toBe(false);
  expect(isStale({ id: 'x' }, new Date('2030-01-01T00:00:00Z'), 60)).toBe(false);
});

test('maps the pipeline\'s workload identity token to the ARM_* variables, never over explicit ones', () => {
  const cli = { servicePrincipalId: 'app-id', tenantId: 'tenant', idToken: 'eyJ.token' };
  expect(armEnvFromAzureCli(cli)).toEqual({ ARM_CLIENT_ID: 'app-id', ARM_TENANT_ID: 'tenant', ARM_OIDC_TOKEN: 'eyJ.token', ARM_USE_OIDC: 'true' });
  expect(armEnvFromAzureCli({ ...cli, ARM_CLIENT_ID: 'mine' })).toEqual({});
  expect(armEnvFromAzureCli({ servicePrincipalId: 'app-id', tenantId: 'tenant' })).toEqual({});
});

describe('npm run tf (against a stand-in terraform)', () => {
  let dir: string;
  let stacks: string;
  let terraform: string;

  // The stand-in records every call, plans into tfplan (exit 2: changes), refuses while a
  // lock.json exists in the stack folder, and answers `output -json` like Terraform.
  const FAKE = `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
const [chdir, cmd, ...rest] = process.argv.slice(2);
const dir = chdir.replace('-chdir=', '');
fs.appendFileSync(path.join(dir, '..', 'calls.log'), path.basename(dir) + ' ' + [cmd, ...rest].join(' ') + '\\n');
const lockFile = path.join(dir, 'lock.json');
if (cmd === 'init') process.exit(0);
if ((cmd === 'plan' || cmd === 'apply') && fs.existsSync(lockFile)) {
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  process.stderr.write(${JSON.stringify(LOCK_OUTPUT('__CREATED__'))}.replace('__CREATED__', lock.created));
  process.exit(1);
}
if (cmd === 'plan') { fs.writeFileSync(path.join(dir, 'tfplan'), 'plan'); process.exit(2); }
if (cmd === 'apply') process.exit(fs.existsSync(path.join(dir, rest[rest.length - 1])) ? 0 : 1);
if (cmd === 'force-unlock') { fs.rmSync(lockFile); process.exit(0); }
if (cmd === 'output') {
  process.stdout.write(JSON.stringify({ key_vault_url: { value: 'https://v.vault.azure.net/', type: 'string', sensitive: false }, kube_config: { value: 'apiVersion: v1', type: 'string', sensitive: true } }));
  process.exit(0);
}
process.exit(9);
`;

  const tf = (...args: string[]) => {
    const r = spawnSync(TSX, ['infra/scripts/terraform-stacks.ts', ...args, '--stacks-dir', stacks, '--terraform', terraform], { cwd: ROOT, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const calls = () => readFileSync(join(stacks, 'calls.log'), 'utf8').trim().split('\n');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tf-'));
    stacks = join(dir, 'stacks');
    for (const s of ['network-dev', 'platform-dev', 'registry']) {
      mkdirSync(join(stacks, s), { recursive: true });
      writeFileSync(join(stacks, s, 'cdk.tf.json'), '{}');
    }
    terraform = join(dir, 'terraform');
    writeFileSync(terraform, FAKE);
    chmodSync(terraform, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('plan inits and saves a plan for the network stack, then the platform stack', () => {
    const r = tf('plan', '--env', 'dev');
    expect(r.status).toBe(0);
    expect(calls()).toEqual([
      'network-dev init -input=false -no-color',
      'network-dev plan -input=false -no-color -lock-timeout=5m -out=tfplan -detailed-exitcode',
      'platform-dev init -input=false -no-color',
      'platform-dev plan -input=false -no-color -lock-timeout=5m -out=tfplan -detailed-exitcode',
    ]);
    expect(r.stdout).toContain('platform-dev: changes planned');
    expect(readFileSync(join(dir, '.artifactignore'), 'utf8')).toBe('**/.terraform/**\n');
  });

  test('apply applies exactly the saved plans and writes the non-sensitive outputs', () => {
    expect(tf('plan', '--env', 'dev').status).toBe(0);
    const outputs = join(dir, 'outputs.json');
    const r = tf('apply', '--env', 'dev', '--outputs-file', outputs);
    expect(r.status).toBe(0);
    expect(calls().filter((c) => c.includes(' apply '))).toEqual([
      'network-dev apply -input=false -no-color -lock-timeout=5m tfplan',
      'platform-dev apply -input=false -no-color -lock-timeout=5m tfplan',
    ]);
    expect(JSON.parse(readFileSync(outputs, 'utf8'))).toEqual({
      'network-dev': { key_vault_url: 'https://v.vault.azure.net/' },
      'platform-dev': { key_vault_url: 'https://v.vault.azure.net/' },
    });
  });

  test('--env shared plans the registry stack only', () => {
    expect(tf('plan', '--env', 'shared').status).toBe(0);
    expect(calls()).toEqual(['registry init -input=false -no-color', 'registry plan -input=false -no-color -lock-timeout=5m -out=tfplan -detailed-exitcode']);
  });

  test('apply without a reviewed plan refuses and changes nothing', () => {
    const r = tf('apply', '--env', 'dev');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('network-dev: no saved plan tfplan; run `npm run tf -- plan --env dev` and review it first.');
    expect(existsSync(join(stacks, 'calls.log'))).toBe(false);
  });

  test('a stale lock is released and the command retried', () => {
    writeFileSync(join(stacks, 'platform-dev', 'lock.json'), JSON.stringify({ created: '2026-01-01 08:00:00.5 +0000 UTC' }));
    const r = tf('plan', '--env', 'dev', '--stack', 'platform');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('platform-dev: releasing stale state lock 9db590f1-b6fe-c5f2-2678-8804f089deba');
    expect(calls()).toEqual([
      'platform-dev init -input=false -no-color',
      'platform-dev plan -input=false -no-color -lock-timeout=5m -out=tfplan -detailed-exitcode',
      'platform-dev force-unlock -force 9db590f1-b6fe-c5f2-2678-8804f089deba',
      'platform-dev plan -input=false -no-color -lock-timeout=5m -out=tfplan -detailed-exitcode',
    ]);
  });

  test('a recent lock is left alone and the run fails naming its holder', () => {
    const recent = new Date(Date.now() - 5 * 60_000).toISOString().replace('T', ' ').replace('Z', ' +0000 UTC');
    writeFileSync(join(stacks, 'network-dev', 'lock.json'), JSON.stringify({ created: recent }));
    const r = tf('plan', '--env', 'dev');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/network-dev: the state is locked by vsts@agent-42 \(lock 9db590f1-[\w-]+, 5 min old\); another run may be active/);
    expect(calls().some((c) => c.includes('force-unlock'))).toBe(false);
  });

  test.each([
    [['plan'], '--env must name an environment'],
    [['deploy', '--env', 'dev'], 'Unknown command "deploy"'],
    [['plan', '--env', 'dev', '--stack', 'app'], '--stack must be one of network, platform'],
    [['plan', '--env', 'staging'], 'has no cdk.tf.json: run `npm run synth` first.'],
  ])('%p is refused with exit 2', (args, message) => {
    const r = tf(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
