import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETUP_WINDOW_RULE_NAME, PLACEHOLDER_PRINCIPAL_IDS } from '../../platform/environment-config';
import { TERRAFORM_VERSION } from '../config/terraform-version';
import { MASK, summarizePlan } from '../scripts/plan-summary';
import { armEnvFromPipeline, isStale, parseLockError } from '../scripts/terraform-stacks';

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

test("reads the lock id, holder and creation time from Terraform's lock error", () => {
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

test("in a pipeline, Terraform signs in through the service connection's refreshing OIDC endpoint, never the one-shot idToken", () => {
  const task = {
    TF_BUILD: 'True',
    AZURESUBSCRIPTION_CLIENT_ID: 'app-id',
    AZURESUBSCRIPTION_TENANT_ID: 'tenant',
    AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: 'connection-id',
    SYSTEM_ACCESSTOKEN: 'system-token',
    SYSTEM_OIDCREQUESTURI: 'https://dev.azure.com/org/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken',
    idToken: 'eyJ.one-shot',
  };
  const mapped = armEnvFromPipeline(task);
  expect(mapped).toEqual({
    ARM_USE_OIDC: 'true',
    ARM_USE_CLI: 'false',
    ARM_CLIENT_ID: 'app-id',
    ARM_TENANT_ID: 'tenant',
    ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID: 'connection-id',
    ARM_OIDC_REQUEST_TOKEN: 'system-token',
    ARM_OIDC_REQUEST_URL: task.SYSTEM_OIDCREQUESTURI,
  });
  expect(Object.values(mapped)).not.toContain('eyJ.one-shot');
  expect(armEnvFromPipeline({ ...task, ARM_CLIENT_ID: 'mine' })).toEqual({});
  expect(armEnvFromPipeline({ AZURESUBSCRIPTION_CLIENT_ID: 'app-id' })).toEqual({});
  const { SYSTEM_ACCESSTOKEN: _token, ...withoutToken } = task;
  expect(() => armEnvFromPipeline(withoutToken)).toThrow(
    'missing: SYSTEM_ACCESSTOKEN (map it into the step: env: SYSTEM_ACCESSTOKEN: $(System.AccessToken))',
  );
});

test('the published plan summary masks every sensitive value, also where a provider forgot to mark one', () => {
  const summary = summarizePlan(
    {
      terraform_version: '1.11.4',
      resource_changes: [
        {
          address: 'azurerm_key_vault_secret.session',
          change: {
            actions: ['create'],
            before: null,
            after: { name: 'session-signing-key', value: 'Sup3r-Secr3t-Key' },
            after_unknown: { id: true },
            after_sensitive: { value: true },
          },
        },
        {
          address: 'azurerm_mssql_server.sql',
          change: {
            actions: ['update'],
            before: { administrator_login_password: 'Old-P4ss', version: '12.0' },
            after: { administrator_login_password: 'New-P4ss', version: '12.0' },
            after_sensitive: {},
            before_sensitive: {},
          },
        },
        { address: 'azurerm_resource_group.rg', change: { actions: ['no-op'], before: { name: 'rg' }, after: { name: 'rg' } } },
      ],
    },
    'platform-dev',
  );
  const text = JSON.stringify(summary);
  for (const secret of ['Sup3r-Secr3t-Key', 'Old-P4ss', 'New-P4ss']) expect(text).not.toContain(secret);
  expect(summary.changes.map((c) => c.address)).toEqual(['azurerm_key_vault_secret.session', 'azurerm_mssql_server.sql']);
  expect(summary.changes[0]!.after).toEqual({ name: 'session-signing-key', value: MASK });
});

test('a value the plan marks sensitive is masked whatever its name, also nested and inside lists', () => {
  const summary = summarizePlan(
    {
      terraform_version: '1.11.4',
      resource_changes: [
        {
          address: 'azurerm_kubernetes_cluster.aks',
          change: {
            actions: ['update'],
            before: { name: 'aks-dev', tags: { owner: 'Old-Owner-Value' }, hosts: ['old.example.org'] },
            after: { name: 'aks-dev', tags: { owner: 'New-Owner-Value' }, hosts: ['new.example.org', 'plain.example.org'] },
            before_sensitive: { tags: { owner: true }, hosts: [true] },
            after_sensitive: { tags: { owner: true }, hosts: [true, false] },
          },
        },
      ],
    },
    'platform-dev',
  );
  const text = JSON.stringify(summary);
  for (const secret of ['Old-Owner-Value', 'New-Owner-Value', 'old.example.org', 'new.example.org']) expect(text).not.toContain(secret);
  expect(summary.changes[0]!.after).toEqual({ name: 'aks-dev', tags: { owner: MASK }, hosts: [MASK, 'plain.example.org'] });
});

describe('npm run tf (against a stand-in terraform)', () => {
  let dir: string;
  let stacks: string;
  let terraform: string;

  // The stand-in records every call, plans into tfplan (exit 2: changes; 0 where an "unchanged"
  // file is), fails validate where an "invalid" file is, refuses while a
  // lock.json exists in the stack folder, and answers `output -json` like Terraform.
  const FAKE =
    `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
const [chdir, cmd, ...rest] = process.argv.slice(2);
const dir = chdir.replace('-chdir=', '');
if (chdir === 'version') { process.stdout.write(` +
    `JSON.stringify({ terraform_version: process.env.FAKE_TF_VERSION || '${TERRAFORM_VERSION}' })); process.exit(0); }
fs.appendFileSync(path.join(dir, '..', 'calls.log'), path.basename(dir) + ' ' + [cmd, ...rest].join(' ') + '\\n');
const lockFile = path.join(dir, 'lock.json');
if (cmd === 'init') process.exit(0);
if (cmd === 'show' && rest[0] === '-json') {
  const variant = fs.existsSync(path.join(dir, '..', 'variant')) ? fs.readFileSync(path.join(dir, '..', 'variant'), 'utf8') : 'B1';
  process.stdout.write(JSON.stringify({ terraform_version: '${TERRAFORM_VERSION}', resource_changes: [
    { address: 'azurerm_key_vault_secret.s', change: { actions: ['create'], before: null, after: { name: 'db-server', value: 'S3cr3t-value' }, ` +
    `after_sensitive: { value: true }, after_unknown: { id: true } } },
    { address: 'azurerm_mssql_database.db', change: { actions: ['create'], before: null, ` +
    `after: { sku_name: variant }, after_unknown: { id: true } } },
  ] }));
  process.exit(0);
}
if (cmd === 'show') { process.stdout.write('  # azurerm_key_vault_secret.s will be created\\n` +
    `      + value = (sensitive value)\\n'); process.exit(0); }
if ((cmd === 'plan' || cmd === 'apply') && fs.existsSync(lockFile)) {
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  process.stderr.write(${JSON.stringify(LOCK_OUTPUT('__CREATED__'))}.replace('__CREATED__', lock.created));
  process.exit(1);
}
if (cmd === 'plan') {
  fs.writeFileSync(path.join(dir, 'tfplan'), 'plan');
  if (!rest.includes('-detailed-exitcode')) process.exit(0);
  process.exit(fs.existsSync(path.join(dir, 'unchanged')) ? 0 : 2);
}
if (cmd === 'validate') process.exit(fs.existsSync(path.join(dir, 'invalid')) ? 1 : 0);
if (cmd === 'apply') process.exit(fs.existsSync(path.join(dir, rest[rest.length - 1])) ? 0 : 1);
if (cmd === 'force-unlock') { fs.rmSync(lockFile); process.exit(0); }
if (cmd === 'output') {
  process.stdout.write(JSON.stringify({ key_vault_url: { value: 'https://v.vault.azure.net/', type: 'string', sensitive: false }, ` +
    `kube_config: { value: 'apiVersion: v1', type: 'string', sensitive: true } }));
  process.exit(0);
}
process.exit(9);
`;

  const tf = (...args: string[]) => {
    const r = spawnSync(TSX, ['infra/scripts/terraform-stacks.ts', ...args, '--stacks-dir', stacks, '--terraform', terraform], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TF_BUILD: '', ARM_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555' },
    });
    if (process.env.DEBUG_TF) process.stderr.write(r.stderr);
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

  const planCalls = (stack: string) => [
    `${stack} init -input=false -no-color`,
    `${stack} plan -input=false -no-color -lock-timeout=5m -out=tfplan -detailed-exitcode`,
    `${stack} show -json tfplan`,
    `${stack} show -no-color tfplan`,
  ];

  test('plan inits and saves a plan for the network stack, then the platform stack, with what can be reviewed beside it', () => {
    const r = tf('plan', '--env', 'dev');
    expect(r.status).toBe(0);
    expect(calls()).toEqual([...planCalls('network-dev'), ...planCalls('platform-dev')]);
    expect(r.stdout).toContain('platform-dev: 2 to add, 0 to change, 0 to destroy');
    expect(readFileSync(join(stacks, 'platform-dev', 'plan.txt'), 'utf8')).toContain('(sensitive value)');
    expect(JSON.parse(readFileSync(join(stacks, 'platform-dev', 'plan-summary.json'), 'utf8')).changes).toHaveLength(2);
  });

  test("plan records the set's -detailed-exitcode (2 when any stack changes, 0 when none does) and a Markdown summary", () => {
    const changes = join(dir, 'out', 'changes');
    const markdown = join(dir, 'out', 'plan.md');
    writeFileSync(join(stacks, 'network-dev', 'unchanged'), '');
    expect(tf('plan', '--env', 'dev', '--changes-file', changes, '--summary-markdown', markdown).status).toBe(0);
    expect(readFileSync(changes, 'utf8')).toBe('2\n');
    const text = readFileSync(markdown, 'utf8');
    expect(text).toContain('## terraform plan: network-dev, platform-dev');
    expect(text).toContain('### platform-dev');
    expect(text).toContain('platform-dev: 2 to add, 0 to change, 0 to destroy');
    expect(text).not.toContain('S3cr3t-value');
    writeFileSync(join(stacks, 'platform-dev', 'unchanged'), '');
    expect(tf('plan', '--env', 'dev', '--changes-file', changes).status).toBe(0);
    expect(readFileSync(changes, 'utf8')).toBe('0\n');
  });

  test('validate inits without a backend and validates every synthesized stack, failing on any invalid one', () => {
    const r = tf('validate');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('terraform validate: network-dev, platform-dev, registry valid');
    expect(calls()).toEqual(
      ['network-dev', 'platform-dev', 'registry'].flatMap((s) => [`${s} init -backend=false -input=false -no-color`, `${s} validate -no-color`]),
    );
    writeFileSync(join(stacks, 'registry', 'invalid'), '');
    const bad = tf('validate');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('terraform validate failed for registry (terraform validate, exit 1)');
  });

  test('what is published for review holds no secret: the binary plan is left out, the summary masks sensitive values', () => {
    expect(tf('plan', '--env', 'dev').status).toBe(0);
    expect(readFileSync(join(dir, '.artifactignore'), 'utf8')).toBe('**/.terraform/**\n**/tfplan\n');
    const published = ['plan.txt', 'plan-summary.json'].map((f) => readFileSync(join(stacks, 'platform-dev', f), 'utf8')).join('\n');
    expect(published).not.toContain('S3cr3t-value');
  });

  test('apply --reviewed plans again and applies only when the fresh plan equals the reviewed one', () => {
    expect(tf('plan', '--env', 'dev').status).toBe(0);
    const reviewed = join(dir, 'reviewed');
    for (const s of ['network-dev', 'platform-dev']) {
      mkdirSync(join(reviewed, s), { recursive: true });
      writeFileSync(join(reviewed, s, 'plan-summary.json'), readFileSync(join(stacks, s, 'plan-summary.json')));
      rmSync(join(stacks, s, 'tfplan'));
    }
    writeFileSync(join(stacks, 'calls.log'), '');
    const same = tf('apply', '--env', 'dev', '--reviewed', reviewed, '--outputs-file', join(dir, 'o.json'));
    expect(same.status).toBe(0);
    expect(same.stdout).toContain('platform-dev: the fresh plan equals the reviewed one');
    expect(calls().filter((c) => c.includes(' apply '))).toHaveLength(2);

    writeFileSync(join(stacks, 'calls.log'), '');
    writeFileSync(join(stacks, 'variant'), 'S0');
    const changed = tf('apply', '--env', 'dev', '--reviewed', reviewed);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain(
      'network-dev: the plan changed since it was reviewed, so nothing was applied:\n  ' +
        'azurerm_mssql_database.db: planned create differs from the reviewed create',
    );
    expect(calls().some((c) => c.includes(' apply '))).toBe(false);
  });

  test('another Terraform version is refused before anything runs', () => {
    const r = spawnSync(TSX, ['infra/scripts/terraform-stacks.ts', 'plan', '--env', 'dev', '--stacks-dir', stacks, '--terraform', terraform], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, FAKE_TF_VERSION: '1.9.8', ARM_SUBSCRIPTION_ID: 'sub' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`terraform 1.9.8 is installed; this repo pins ${TERRAFORM_VERSION} (.terraform-version)`);
    expect(existsSync(join(stacks, 'calls.log'))).toBe(false);
  });

  test('--help prints the usage; a plan without ARM_SUBSCRIPTION_ID is refused with the export to run', () => {
    const help = tf('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: npm run tf -- <plan|apply|outputs|validate|destroy> --env <dev|prod|shared> [options]');
    const r = spawnSync(TSX, ['infra/scripts/terraform-stacks.ts', 'plan', '--env', 'dev', '--stacks-dir', stacks, '--terraform', terraform], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TF_BUILD: '', ARM_SUBSCRIPTION_ID: '' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'ARM_SUBSCRIPTION_ID is not set; the azurerm provider needs it: export ARM_SUBSCRIPTION_ID=$(az account show --query id -o tsv)',
    );
  });

  test('stacks synthesized without the deploy principals are refused, naming the settings', () => {
    writeFileSync(
      join(stacks, 'platform-dev', 'cdk.tf.json'),
      JSON.stringify({ resource: { azurerm_role_assignment: { a: { principal_id: PLACEHOLDER_PRINCIPAL_IDS.deployer } } } }),
    );
    const r = tf('plan', '--env', 'dev');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'platform-dev was synthesized without DEPLOYER_OBJECT_ID: set them (README "Synth and deploy") and run `npm run synth` again.',
    );
  });

  test('in the pipeline, a stack synthesized with the setup window is refused before any terraform call', () => {
    writeFileSync(
      join(stacks, 'platform-dev', 'cdk.tf.json'),
      JSON.stringify(
        { resource: { azurerm_mssql_firewall_rule: { w: { name: SETUP_WINDOW_RULE_NAME, start_ip_address: '203.0.113.7' } } } },
        null,
        2,
      ),
    );
    const inPipeline = spawnSync(
      TSX,
      ['infra/scripts/terraform-stacks.ts', 'apply', '--env', 'dev', '--stacks-dir', stacks, '--terraform', terraform],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TF_BUILD: 'True', ARM_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555' },
      },
    );
    expect(inPipeline.status).toBe(2);
    expect(inPipeline.stderr).toContain('platform-dev was synthesized with SETUP_ACCESS_CIDR');
    expect(inPipeline.stderr).toContain('remove SETUP_ACCESS_CIDR from the variable group');
    expect(existsSync(join(stacks, 'calls.log'))).toBe(false);
    // At a terminal (`npm run up -- --setup-access`) the same stack is planned.
    expect(tf('plan', '--env', 'dev').status).toBe(0);
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

  test('destroy plans -destroy and applies that plan, the platform stack before the network it reads', () => {
    const r = tf('destroy', '--env', 'dev');
    expect(r.status).toBe(0);
    const destroyCalls = (stack: string) => [
      `${stack} init -input=false -no-color`,
      `${stack} plan -destroy -input=false -no-color -lock-timeout=5m -out=tfplan`,
      `${stack} apply -input=false -no-color -lock-timeout=5m tfplan`,
    ];
    expect(calls()).toEqual([...destroyCalls('platform-dev'), ...destroyCalls('network-dev')]);
    expect(r.stdout).toContain('platform-dev: destroyed');
  });

  test('--env shared plans the registry stack only', () => {
    expect(tf('plan', '--env', 'shared').status).toBe(0);
    expect(calls()).toEqual(planCalls('registry'));
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
      'platform-dev show -json tfplan',
      'platform-dev show -no-color tfplan',
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
    [['plan'], '--env must be one of dev, prod, shared; got "".'],
    [['deploy', '--env', 'dev'], 'Unknown command "deploy"'],
    [['plan', '--env', 'dev', '--stack', 'app'], '--stack must be one of network, platform'],
    [['plan', '--env', 'staging'], '--env must be one of dev, prod, shared; got "staging".'],
    [['plan', '--env', 'shared', '--stack', 'network'], '--stack does not apply to --env shared'],
  ])('%p is refused with exit 2', (args, message) => {
    const r = tf(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
