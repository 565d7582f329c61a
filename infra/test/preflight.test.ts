import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environments } from '../../platform/environment-config';
import { preflight, RESOURCE_PROVIDERS, type Az } from '../scripts/preflight';

const ADMINS = '5b3c1e2a-0d4f-4e8a-9c7b-1a2b3c4d5e6f';
const SQL_ADMINS = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const DEPLOYER = '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4';
const ENV = {
  ADMIN_CIDRS: '148.252.158.53/32',
  ADMIN_GROUP_OBJECT_ID: ADMINS,
  ADMIN_GROUP_NAME: 'Order Platform Admins',
  SQL_ADMIN_GROUP_OBJECT_ID: SQL_ADMINS,
  SQL_ADMIN_GROUP_NAME: 'Order Platform SQL Admins',
  DEPLOYER_OBJECT_ID: DEPLOYER,
};
const [dev] = environments(ENV);
const SUB = '11111111-2222-3333-4444-555555555555';

/** Answers like the Azure CLI of a subscription that is ready, unless a test overrides a command. */
type Answers = [RegExp, { ok?: boolean; stdout?: unknown; stderr?: string }][];
const READY: Answers = [
  [/^account show/, { stdout: { id: SUB, tenantId: 't', user: { name: 'pipeline' } } }],
  [/^provider show --namespace \S+ --query registrationState/, { stdout: 'Registered' }],
  [/^feature show --namespace Microsoft\.Compute --name EncryptionAtHost/, { stdout: 'Registered' }],
  [/^ad group show --group 5b3c1e2a/, { stdout: { id: ADMINS, displayName: 'Order Platform Admins' } }],
  [/^ad group show --group 7c1d2e3f/, { stdout: { id: SQL_ADMINS, displayName: 'Order Platform SQL Admins' } }],
  [/^ad group member check --group 7c1d2e3f\S+ --member-id 9e8d7c6b/, { stdout: 'true' }],
  [/^ad group member check --group 5b3c1e2a\S+ --member-id 9e8d7c6b/, { stdout: 'false' }],
  [/^role assignment list --assignee 9e8d7c6b\S+ --scope \/subscriptions\/11111111/, { stdout: ['Owner'] }],
  [
    /^vm list-skus --location uksouth --resource-type virtualMachines --size Standard_D4ds_v5/,
    { stdout: [{ name: 'Standard_D4ds_v5', restrictions: [], locationInfo: [{ zones: ['1', '2', '3'] }] }] },
  ],
  [
    /^aks get-versions --location uksouth/,
    {
      stdout: {
        values: [
          { version: '1.35', isPreview: null },
          { version: '1.36', isPreview: null },
          { version: '1.37', isPreview: true },
        ],
      },
    },
  ],
  [/^keyvault list-deleted/, { stdout: [] }],
];

function fakeAz(overrides: Answers = []): { az: Az; calls: string[] } {
  const calls: string[] = [];
  const az: Az = (args) => {
    const line = args.join(' ');
    calls.push(line);
    const hit = [...overrides, ...READY].find(([p]) => p.test(line));
    if (!hit) return { ok: false, stdout: '', stderr: `ERROR: unexpected az ${line}` };
    const { ok = true, stdout = '', stderr = '' } = hit[1];
    return { ok, stdout: typeof stdout === 'string' ? `${stdout}\n` : JSON.stringify(stdout), stderr };
  };
  return { az, calls };
}
const SHELL = { ARM_SUBSCRIPTION_ID: SUB };
const failed = (overrides: Answers) => preflight(dev!, fakeAz(overrides).az, SHELL).filter((r) => !r.ok);

test('a ready subscription passes every check: providers, host encryption, the group, the deployer, VM size, Kubernetes version, vault name', () => {
  const results = preflight(dev!, fakeAz().az, SHELL);
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.map((r) => r.name)).toEqual(
    expect.arrayContaining([
      'signed in to Azure',
      ...RESOURCE_PROVIDERS.map((p) => `resource provider ${p}`),
      'feature Microsoft.Compute/EncryptionAtHost',
      "administrators' group",
      "SQL administrators' group (Azure SQL signs its administrator in by this name)",
      "deployer in the SQL administrators' group (grant:sql signs in to Azure SQL as a member)",
      "deployer not in the administrators' group (that would make it cluster-admin)",
      'deployer may create resources, role assignments and roles',
      'VM size Standard_D4ds_v5 in uksouth',
      'Kubernetes 1.36 on AKS in uksouth',
      'Key Vault name orderplat-dev-kv free',
    ]),
  );
});

test.each<[string, Answers, string, string]>([
  [
    'EncryptionAtHost not registered',
    [[/^feature show/, { stdout: 'NotRegistered' }]],
    'feature Microsoft.Compute/EncryptionAtHost',
    'NotRegistered. Fix: az feature register --namespace Microsoft.Compute --name EncryptionAtHost',
  ],
  [
    'a provider not registered',
    [[/^provider show --namespace Microsoft\.DevOpsInfrastructure/, { stdout: 'NotRegistered' }]],
    'resource provider Microsoft.DevOpsInfrastructure',
    'Fix: az provider register --namespace Microsoft.DevOpsInfrastructure',
  ],
  [
    'the group does not exist',
    [[/^ad group show --group 5b3c/, { ok: false, stderr: "ERROR: Resource '5b3c' does not exist." }]],
    "administrators' group",
    'not found',
  ],
  [
    'the group has another name',
    [[/^ad group show --group 5b3c/, { stdout: { id: ADMINS, displayName: 'Platform Admins' } }]],
    "administrators' group",
    'Fix: ADMIN_GROUP_NAME="Platform Admins"',
  ],
  [
    "the deployer is not in the SQL administrators' group",
    [[/^ad group member check --group 7c1d/, { stdout: 'false' }]],
    "deployer in the SQL administrators' group (grant:sql signs in to Azure SQL as a member)",
    `Fix: az ad group member add --group ${SQL_ADMINS} --member-id ${DEPLOYER}`,
  ],
  [
    "the deployer is in the administrators' group",
    [[/^ad group member check --group 5b3c/, { stdout: 'true' }]],
    "deployer not in the administrators' group (that would make it cluster-admin)",
    `a member. Fix: az ad group member remove --group ${ADMINS} --member-id ${DEPLOYER}`,
  ],
  [
    'the deployer is only Contributor',
    [[/^role assignment list/, { stdout: ['Contributor'] }]],
    'deployer may create resources, role assignments and roles',
    'has Contributor on the subscription',
  ],
  [
    'the VM size is restricted',
    [
      [
        /^vm list-skus/,
        {
          stdout: [
            {
              name: 'Standard_D4ds_v5',
              restrictions: [{ type: 'Location', reasonCode: 'NotAvailableForSubscription' }],
              locationInfo: [{ zones: ['1', '2', '3'] }],
            },
          ],
        },
      ],
    ],
    'VM size Standard_D4ds_v5 in uksouth',
    'restricted for this subscription (NotAvailableForSubscription)',
  ],
  [
    'a zone lacks the VM size',
    [[/^vm list-skus/, { stdout: [{ name: 'Standard_D4ds_v5', restrictions: [], locationInfo: [{ zones: ['1', '2'] }] }] }]],
    'VM size Standard_D4ds_v5 in uksouth',
    'not available in zone(s) 3',
  ],
  [
    'the Kubernetes version is not offered',
    [
      [
        /^aks get-versions/,
        {
          stdout: {
            values: [
              { version: '1.37', isPreview: null },
              { version: '1.36', isPreview: true },
            ],
          },
        },
      ],
    ],
    'Kubernetes 1.36 on AKS in uksouth',
    'offered: 1.37. Fix: set cluster.kubernetesVersion',
  ],
  [
    'a deleted vault holds the name',
    [[/^keyvault list-deleted/, { stdout: [{ name: 'orderplat-dev-kv', properties: { scheduledPurgeDate: '2027-02-01T00:00:00Z' } }] }]],
    'Key Vault name orderplat-dev-kv free',
    'kept until 2027-02-01T00:00:00Z. Fix: az keyvault recover --name orderplat-dev-kv',
  ],
])('%s fails that check with what to do', (_case, overrides, name, detail) => {
  expect(failed(overrides)).toEqual([expect.objectContaining({ name, ok: false, detail: expect.stringContaining(detail) })]);
});

test('ARM_SUBSCRIPTION_ID unset or another subscription than the signed-in one fails with the export to run', () => {
  for (const shell of [{}, { ARM_SUBSCRIPTION_ID: '99999999-2222-3333-4444-555555555555' }]) {
    expect(preflight(dev!, fakeAz().az, shell).filter((r) => !r.ok)).toEqual([
      expect.objectContaining({
        name: "ARM_SUBSCRIPTION_ID (Terraform's azurerm provider needs it)",
        detail: expect.stringContaining(`Fix: export ARM_SUBSCRIPTION_ID=${SUB}`),
      }),
    ]);
  }
});

test('no Azure CLI at all: says to install it', () => {
  const az = () => ({ ok: false, stdout: '', stderr: 'spawnSync az ENOENT' });
  expect(preflight(dev!, az, SHELL)).toEqual([
    expect.objectContaining({ ok: true, name: 'deploy settings' }),
    expect.objectContaining({ ok: false, detail: expect.stringContaining('the Azure CLI (az) is not installed or not on PATH') }),
  ]);
});

test('not signed in: one failure that says to sign in, and nothing else is asked', () => {
  const { az, calls } = fakeAz([[/^account show/, { ok: false, stderr: "ERROR: Please run 'az login' to setup account." }]]);
  const results = preflight(dev!, az, SHELL);
  expect(results.filter((r) => !r.ok)).toEqual([
    expect.objectContaining({ name: 'signed in to Azure', detail: expect.stringContaining('Fix: az login') }),
  ]);
  expect(calls).toEqual(['account show -o json']);
});

test('placeholder principals are named as the settings to export, and the checks that need them are skipped', () => {
  const [bare] = environments({ ADMIN_CIDRS: '148.252.158.53/32' });
  const results = preflight(bare!, fakeAz().az, SHELL);
  expect(results.filter((r) => !r.ok)).toEqual([
    expect.objectContaining({
      name: 'deploy settings',
      detail: expect.stringContaining('not set: ADMIN_GROUP_OBJECT_ID, SQL_ADMIN_GROUP_OBJECT_ID, DEPLOYER_OBJECT_ID'),
    }),
  ]);
  expect(results.some((r) => r.name.startsWith('deployer in'))).toBe(false);
});

test('npm run preflight prints one line per check and exits 1 on a failure, through a stand-in az', () => {
  const dir = mkdtempSync(join(tmpdir(), 'az-'));
  const az = join(dir, 'az');
  const answers = READY.map(([p, a]) => [p.source, a]);
  writeFileSync(
    az,
    `#!/usr/bin/env node
const answers = ${JSON.stringify([[String.raw`^feature show`, { stdout: 'Pending' }], ...answers])};
const line = process.argv.slice(2).join(' ');
const hit = answers.find(([p]) => new RegExp(p).test(line));
if (!hit) { process.stderr.write('ERROR: unexpected ' + line); process.exit(1); }
const { ok = true, stdout = '' } = hit[1];
process.stdout.write(typeof stdout === 'string' ? stdout + '\\n' : JSON.stringify(stdout));
process.exit(ok ? 0 : 1);
`,
  );
  chmodSync(az, 0o755);
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'infra/scripts/preflight.ts', '--env', 'dev', '--az', az], {
    encoding: 'utf8',
    env: { ...process.env, ...ENV, ...SHELL },
  });
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('✓ signed in to Azure: subscription 11111111-2222-3333-4444-555555555555 as pipeline');
  expect(r.stdout).toContain('✗ feature Microsoft.Compute/EncryptionAtHost: Pending. Fix: az feature register');
  expect(r.stdout).toContain('dev: 1 check(s) failed; fix them before deploying.');
  const bad = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'infra/scripts/preflight.ts', '--env', 'qa'], { encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('--env must be one of dev, prod; got "qa".');
});
