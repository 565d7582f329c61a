import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { readPipelineSettings } from '../pipeline-settings';
import { AzureDevOpsStandIn, LOCATIONS } from './stand-ins/azure-devops-server';

// `npm run bootstrap:pipeline` against a stand-in Azure DevOps organisation (node:http, in this
// process) and the az stand-in (stand-ins/stand-in.cjs): both record every call, keep state
// between runs and fail on demand.

// Each test runs the bootstrap once or twice (tsx, then a child per az call): slow on a shared machine.
jest.setTimeout(120_000);

const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const settings = readPipelineSettings(ROOT);
const ENV = {
  ARM_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555',
  ADMIN_CIDRS: '198.51.100.7/32',
  ADMIN_GROUP_OBJECT_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
  SQL_ADMIN_GROUP_OBJECT_ID: 'aaaaaaaa-0000-0000-0000-000000000002',
  ALERT_EMAILS: 'devops@contoso.example',
};

let dir: string;
let ado: AzureDevOpsStandIn;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  mkdirSync(join(dir, 'bin'));
  symlinkSync(join(__dirname, 'stand-ins', 'stand-in.cjs'), join(dir, 'bin', 'az'));
  ado = new AzureDevOpsStandIn();
  await ado.start();
});
afterEach(async () => {
  await ado.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  out: string;
  calls: string[];
  requests: AzureDevOpsStandIn['requests'];
}

/** Runs the bootstrap (asynchronously: the stand-in server answers from this process). */
async function bootstrap(options: { env?: Record<string, string>; fail?: string; failOn?: string; args?: string[] } = {}): Promise<Run> {
  writeFileSync(join(dir, 'calls.log'), '');
  ado.requests.length = 0;
  ado.failOn = options.failOn ?? '';
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(ARM_|ADMIN_|SQL_ADMIN_|ALERT_|DEPLOYER_|PUBLIC_HOST|OIDC_|VNET_)/.test(k)),
  );
  const args = options.args ?? [
    '--organization',
    ado.url,
    '--project',
    'Orders',
    '--repository',
    'order-platform',
    '--approver',
    '[Orders]\\Approvers',
  ];
  const child = spawn(TSX, [join(ROOT, 'ops', 'bootstrap-pipeline.ts'), ...args], {
    cwd: dir,
    env: {
      ...clean,
      ...(options.env ?? ENV),
      PATH: `${join(dir, 'bin')}${delimiter}${process.env.PATH}`,
      OPS_LOG: join(dir, 'calls.log'),
      OPS_CLOUD: join(dir, 'cloud.json'),
      OPS_FAIL: options.fail ?? '',
    },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const calls = readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n').filter(Boolean);
  return { status, out, calls, requests: [...ado.requests] };
}

const creatingAz = (calls: string[]) => calls.filter((c) => / (create|add|update) /.test(`${c} `));
const creatingAdo = (r: Run) => r.requests.filter((q) => q.method === 'POST' || q.method === 'PUT' || q.method === 'PATCH');
const posted = (r: Run) => creatingAdo(r).map((q) => q.path.replace(/\?.*/, '').replace(/^\/contoso/, ''));

test('creates everything in order, from the state storage to the pipeline', async () => {
  const r = await bootstrap();
  expect(r.status).toBe(0);
  const { resourceGroup, storageAccount, container } = settings.state;
  expect(creatingAz(r.calls).map((c) => c.split(' --')[0])).toEqual([
    'az group create',
    'az storage account create',
    'az storage container-rm create',
    'az ad app create',
    'az ad sp create',
    'az role assignment create',
    'az role assignment create',
    'az ad group member add',
    'az ad app federated-credential create',
  ]);
  expect(r.calls).toContain(`az group create --name ${resourceGroup} --location uksouth`);
  const account = r.calls.find((c) => c.startsWith('az storage account create'))!;
  expect(account).toContain(`--name ${storageAccount} --resource-group ${resourceGroup}`);
  expect(account).toContain('--allow-shared-key-access false --allow-blob-public-access false --min-tls-version TLS1_2');
  expect(r.calls.find((c) => c.startsWith('az storage container-rm create'))).toContain(`--name ${container}`);
  const roles = r.calls.filter((c) => c.startsWith('az role assignment create'));
  expect(roles[0]).toContain(`--role Owner --scope /subscriptions/${ENV.ARM_SUBSCRIPTION_ID}`);
  expect(roles[1]).toContain(
    `--role Storage Blob Data Contributor --scope /subscriptions/sub/resourceGroups/${resourceGroup}` +
      `/providers/Microsoft.Storage/storageAccounts/${storageAccount}`,
  );
  expect(r.calls.find((c) => c.startsWith('az ad group member add'))).toContain(`--group ${ENV.SQL_ADMIN_GROUP_OBJECT_ID}`);
  expect(posted(r)).toEqual([
    '/_apis/serviceendpoint/endpoints',
    '/_apis/distributedtask/variablegroups',
    ...['shared', 'dev', 'prod'].flatMap(() => [
      '/Orders/_apis/distributedtask/environments',
      '/Orders/_apis/pipelines/checks/configurations',
      '/Orders/_apis/pipelines/checks/configurations',
    ]),
    '/Orders/_apis/pipelines',
    '/Orders/_apis/pipelines',
  ]);
  expect(r.out).toContain('[1/16] Azure subscription, Azure DevOps project and repository');
  expect(r.out).toContain(`[9/16] Service connection ${settings.serviceConnection} (Azure Resource Manager, workload identity federation)`);
  expect(r.out).toContain('[15/16] Pipeline order-platform from pipelines/azure-pipelines.yml');
  expect(r.out).toContain('[16/16] Pipeline order-platform-mutation from pipelines/mutation-testing.yml');
  expect(r.out).toContain('15 step(s) created or changed something');
});

test('every Azure DevOps request carries the bearer token from az account get-access-token, for Azure DevOps', async () => {
  const r = await bootstrap();
  expect(r.calls).toContain('az account get-access-token --resource 499b84ac-1321-427f-aa17-267ca6975798 --query accessToken --output tsv');
  expect(new Set(r.requests.map((q) => q.auth))).toEqual(new Set(['Bearer pretend-azure-devops-token']));
  expect(r.out).not.toContain('pretend-azure-devops-token');
});

test('a second run creates nothing and says so', async () => {
  expect((await bootstrap()).status).toBe(0);
  const again = await bootstrap();
  expect(again.status).toBe(0);
  expect(creatingAz(again.calls)).toEqual([]);
  expect(creatingAdo(again)).toEqual([]);
  expect(again.out).not.toMatch(/^ {2}changed:/m);
  expect(again.out).toContain("Nothing created: the pipeline's one-time setup was already complete.");
  expect(ado.state.environments.map((e) => e.name)).toEqual(['order-platform-shared', 'order-platform-dev', 'order-platform-prod']);
});

test('a run failing at an Azure DevOps step names it and what to do, and the next run continues there', async () => {
  const failed = await bootstrap({ failOn: 'POST /contoso/Orders/_apis/distributedtask/environments' });
  expect(failed.status).toBe(1);
  expect(failed.out).toContain('FAILED at step 12/16 "Environment order-platform-shared: approval by [Orders]\\Approvers and an exclusive lock"');
  expect(failed.out).toContain('What to do: Creating environments and checks needs the Creator role on Environments');
  expect(posted(failed)).not.toContain('/Orders/_apis/pipelines');

  const resumed = await bootstrap();
  expect(resumed.status).toBe(0);
  expect(creatingAz(resumed.calls)).toEqual([]);
  expect(posted(resumed)).toEqual([
    ...['shared', 'dev', 'prod'].flatMap(() => [
      '/Orders/_apis/distributedtask/environments',
      '/Orders/_apis/pipelines/checks/configurations',
      '/Orders/_apis/pipelines/checks/configurations',
    ]),
    '/Orders/_apis/pipelines',
    '/Orders/_apis/pipelines',
  ]);
});

test('a run failing at an az step names it, and the next run assigns only what is missing', async () => {
  const failed = await bootstrap({ fail: 'role assignment create --assignee-object-id' });
  expect(failed.status).toBe(1);
  expect(failed.out).toContain('FAILED at step 6/16 "Owner for the deployer on the subscription');
  expect(failed.out).toContain('What to do: Assigning roles needs Owner or User Access Administrator');
  expect(creatingAdo(failed)).toEqual([]);

  const resumed = await bootstrap();
  expect(resumed.status).toBe(0);
  expect(creatingAz(resumed.calls).map((c) => c.split(' --')[0])).toEqual([
    'az role assignment create',
    'az role assignment create',
    'az ad group member add',
    'az ad app federated-credential create',
  ]);
});

test('missing variables are refused by name before any call', async () => {
  const r = await bootstrap({ env: { ADMIN_GROUP_OBJECT_ID: ENV.ADMIN_GROUP_OBJECT_ID } });
  expect(r.status).toBe(2);
  expect(r.out).toContain('Set ADMIN_CIDRS, ARM_SUBSCRIPTION_ID, SQL_ADMIN_GROUP_OBJECT_ID in the environment first');
  expect(r.out).toContain('Nothing was created.');
  expect(r.calls).toEqual([]);
  expect(r.requests).toEqual([]);
});

test('--help prints the flags; a missing --approver is refused before any call', async () => {
  const help = await bootstrap({ args: ['--help'] });
  expect(help.status).toBe(0);
  expect(help.out).toContain('Usage: npm run bootstrap:pipeline -- --organization <url> --project <name> --approver <group or user>');
  const bad = await bootstrap({ args: ['--organization', ado.url, '--project', 'Orders'] });
  expect(bad.status).toBe(2);
  expect(bad.out).toContain('--approver is required');
  expect(bad.calls).toEqual([]);
  expect(bad.requests).toEqual([]);
});

test('the group holds every variable the pipeline reads and the stacks need; the generated secret appears only in its POST body', async () => {
  const r = await bootstrap();
  const post = r.requests.find((q) => q.method === 'POST' && q.path.includes('variablegroups'))!;
  const group = JSON.parse(post.body);
  expect(group.name).toBe(settings.variableGroup);
  const secret: string = group.variables.MSSQL_SA_PASSWORD.value;
  expect(group.variables.MSSQL_SA_PASSWORD.isSecret).toBe(true);
  expect(secret).toMatch(/^[A-Za-z0-9_-]{32}Aa1!$/);
  const sp = JSON.parse(readFileSync(join(dir, 'cloud.json'), 'utf8')).azure.sps;
  expect(group.variables.DEPLOYER_OBJECT_ID.value).toBe(Object.values(sp)[0]);
  for (const [k, v] of Object.entries(ENV)) expect(group.variables[k]).toEqual({ value: v, isSecret: false });
  for (const m of settings.undefinedMacros) expect(Object.keys(group.variables)).toContain(m);

  const again = await bootstrap();
  const elsewhere = [
    r.out,
    again.out,
    ...r.calls,
    ...again.calls,
    ...[...r.requests, ...again.requests].filter((q) => q !== post).map((q) => q.path + q.body),
  ];
  expect(elsewhere.filter((text) => text.includes(secret))).toEqual([]);
});

test('the service connection is workload identity federation, and the credential uses exactly the issuer and subject it reports', async () => {
  ado.state.federation = { issuer: 'https://issuer.example/odd-tenant/', subject: 'sc://contoso/Orders/reported-by-the-endpoint' };
  const r = await bootstrap();
  const endpoint = JSON.parse(r.requests.find((q) => q.method === 'POST' && q.path.includes('serviceendpoint'))!.body);
  const app = JSON.parse(readFileSync(join(dir, 'cloud.json'), 'utf8')).azure.apps[0];
  expect(endpoint).toMatchObject({
    name: settings.serviceConnection,
    type: 'azurerm',
    data: { subscriptionId: ENV.ARM_SUBSCRIPTION_ID, scopeLevel: 'Subscription', creationMode: 'Manual' },
    authorization: { scheme: 'WorkloadIdentityFederation', parameters: { tenantid: 'tenant-0001', serviceprincipalid: app.appId } },
    serviceEndpointProjectReferences: [{ projectReference: { id: 'proj-0001', name: 'Orders' } }],
  });
  const create = r.calls.find((c) => c.startsWith('az ad app federated-credential create'))!;
  expect(create.startsWith(`az ad app federated-credential create --id ${app.appId} --parameters `)).toBe(true);
  const credential = JSON.parse(create.slice(create.indexOf('--parameters ') + '--parameters '.length));
  expect(credential).toMatchObject({ issuer: 'https://issuer.example/odd-tenant/', subject: 'sc://contoso/Orders/reported-by-the-endpoint' });
  expect(credential.audiences).toEqual(['api://AzureADTokenExchange']);
});

test('each environment gets an approval by the resolved approver and an exclusive lock', async () => {
  await bootstrap();
  for (const env of ado.state.environments) {
    const checks = ado.state.checks.filter((k) => k.resource.id === String(env.id));
    expect(checks.map((k) => k.type.name).sort()).toEqual(['Approval', 'ExclusiveLock']);
    expect(checks.find((k) => k.type.name === 'Approval').settings.approvers).toEqual([
      { id: 'ident-approvers', displayName: '[Orders]\\Approvers' },
    ]);
    expect(checks.find((k) => k.type.name === 'ExclusiveLock').type.id).toBe('2EF31AD6-BAA0-403A-8B45-2CBC9B4E5563');
  }
  const repository = { id: 'repo-0001', name: 'order-platform', type: 'azureReposGit' };
  expect(ado.state.pipelines).toEqual([
    { id: 1, name: 'order-platform', configuration: { type: 'yaml', path: 'pipelines/azure-pipelines.yml', repository } },
    { id: 2, name: 'order-platform-mutation', configuration: { type: 'yaml', path: 'pipelines/mutation-testing.yml', repository } },
  ]);
});

test('an approver matching no identity stops at the first environment, naming the flag', async () => {
  const r = await bootstrap({
    args: ['--organization', ado.url, '--project', 'Orders', '--repository', 'order-platform', '--approver', 'nobody@contoso.example'],
  });
  expect(r.status).toBe(1);
  expect(r.out).toContain('--approver "nobody@contoso.example" matches 0 identities in the organisation');
  expect(ado.state.environments).toEqual([]);
});

test("the stand-in's resource locations are the client's own", () => {
  const client = ['CoreApi', 'GitApi', 'ServiceEndpointApiBase', 'TaskAgentApiBase', 'PipelinesApi', 'LocationsApi']
    .map((f) => readFileSync(join(ROOT, 'node_modules/azure-devops-node-api', `${f}.js`), 'utf8'))
    .join('\n');
  for (const [area, locations] of Object.entries(LOCATIONS)) for (const l of locations) expect(client).toContain(`"${area}", "${l.id}"`);
});
