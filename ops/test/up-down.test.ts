import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { environments } from '../../platform/environment-config';
import { registryConfig } from '../../platform/registry-config';

// `npm run up`, `down` and `monitor` run against stand-ins of az, kubectl, kubelogin, git and
// npm (stand-ins/stand-in.cjs) that record every call, keep a pretend cloud in a JSON file
// and fail on demand: the order of steps, idempotence, resuming, and the confirmation.

const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const TOOLS = ['az', 'kubectl', 'kubelogin', 'git', 'npm'];
const REGISTRY = registryConfig().name;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ops-'));
  mkdirSync(join(dir, 'bin'));
  for (const tool of TOOLS) symlinkSync(join(__dirname, 'stand-ins', 'stand-in.cjs'), join(dir, 'bin', tool));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function ops(script: 'up' | 'down' | 'monitor', args: string[], options: { fail?: string; input?: string; outsideVnet?: boolean } = {}) {
  writeFileSync(join(dir, 'calls.log'), '');
  const r = spawnSync(TSX, [join(ROOT, 'ops', `${script}.ts`), ...args], {
    cwd: dir,
    encoding: 'utf8',
    input: options.input ?? '',
    env: {
      ...process.env,
      PATH: `${join(dir, 'bin')}${delimiter}${process.env.PATH}`,
      OPS_LOG: join(dir, 'calls.log'),
      OPS_CLOUD: join(dir, 'cloud.json'),
      OPS_FAIL: options.fail ?? '',
      OPS_OUTSIDE_VNET: options.outsideVnet ? '1' : '',
      SETUP_ACCESS_CIDR: '',
    },
  });
  const calls = readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n').filter(Boolean);
  return { status: r.status, out: `${r.stdout}${r.stderr}`, calls };
}

/** Calls that change Azure or the cluster. */
const changing = (calls: string[]) =>
  calls.filter((c) => / tf -- (apply|destroy) |^az acr build |^kubectl apply |grant:sql/.test(c) || c.startsWith('npm run --silent tf -- destroy'));

describe('npm run up', () => {
  test('brings an environment up in order: checks, stacks, database user, image, manifest, rollout, smoke test', () => {
    const r = ops('up', ['--env', 'dev']);
    expect(r.status).toBe(0);
    const order = [
      'npm run --silent preflight -- --env dev',
      'npm run --silent synth',
      'npm run --silent tf -- plan --env shared',
      'npm run --silent tf -- apply --env shared',
      'npm run --silent tf -- plan --env dev --stack network',
      'npm run --silent tf -- apply --env dev --stack network',
      'npm run --silent tf -- plan --env dev --stack platform',
      'npm run --silent tf -- apply --env dev --stack platform',
      'npm run --silent tf -- outputs --env dev',
      'npm run --silent grant:sql -- --env dev --infra-outputs cdktf.out/outputs-dev.json',
      `az acr build --registry ${REGISTRY} --image order-app:abc123def456 --file app/Dockerfile .`,
      expect.stringMatching(/^npm run --silent synth:k8s -- --env dev .* --deploy-image (\S+)\/order-app:abc123def456@sha256:[0-9a-f]{64}$/),
      'az aks get-credentials --resource-group networking-rg-dev --name terraform-aks-cluster-dev --overwrite-existing',
      'kubectl apply -f dist/k8s/dev/application-manifest.yaml',
      'kubectl -n orders rollout status deployment/order-app --timeout=600s',
      'npm run --silent smoke -- --port-forward orders/order-app',
    ];
    expect(r.calls.filter((c) => order.some((o) => (typeof o === 'string' ? o === c : /synth:k8s/.test(c))))).toEqual(order);
    // Deployed by the digest the registry reported for the tag it built.
    const synth = r.calls.find((c) => c.includes('synth:k8s'))!;
    const cloud = JSON.parse(readFileSync(join(dir, 'cloud.json'), 'utf8'));
    expect(synth.endsWith(`--deploy-image ${REGISTRY}.azurecr.io/order-app:abc123def456@${cloud.images.abc123def456}`)).toBe(true);
    expect(r.out).toContain('[1/12] Preflight');
    expect(r.out).toContain('changed: registry: applied 1 resource change(s)');
    expect(r.out).toContain('The app: kubectl -n orders port-forward service/order-app 8080:http, then http://127.0.0.1:8080/');
    expect(r.out).toContain('npm run monitor -- --env dev');
  });

  test('a second run changes nothing and says so', () => {
    expect(ops('up', ['--env', 'dev']).status).toBe(0);
    const again = ops('up', ['--env', 'dev']);
    expect(again.status).toBe(0);
    expect(changing(again.calls).filter((c) => !c.includes('grant:sql'))).toEqual([]);
    expect(again.out).toContain('unchanged: order-app:abc123def456 is already in the registry');
    expect(again.out).toContain('unchanged: the cluster already runs this manifest');
    expect(again.out).toContain('Nothing changed: dev already runs what this checkout describes.');
  });

  test('a run that fails at a step names it and what to do, and the next run continues there', () => {
    const failed = ops('up', ['--env', 'dev'], { fail: 'apply --env dev --stack platform' });
    expect(failed.status).toBe(1);
    expect(failed.out).toContain('FAILED at step 5/12 "Platform stack (platform-dev): AKS, Key Vault, Azure SQL, monitoring"');
    expect(failed.out).toContain("run `npm run up` from a machine in the environment's deploy-agent subnet");
    expect(failed.calls.some((c) => c.startsWith('az acr build') || c.includes('grant:sql'))).toBe(false);

    const resumed = ops('up', ['--env', 'dev']);
    expect(resumed.status).toBe(0);
    const applies = resumed.calls.filter((c) => c.includes(' tf -- apply '));
    expect(applies).toEqual(['npm run --silent tf -- apply --env dev --stack platform']);
    expect(resumed.calls).toContain('kubectl -n orders rollout status deployment/order-app --timeout=600s');
  });

  test('an unknown environment or flag is refused naming it, before any command runs', () => {
    const bad = ops('up', ['--env', 'staging']);
    expect(bad.status).toBe(2);
    expect(bad.out).toContain('--env must be one of dev, prod; got "staging".');
    expect(bad.calls).toEqual([]);
    const help = ops('up', ['--help']);
    expect(help.status).toBe(0);
    expect(help.out).toContain('Usage: npm run up -- --env <env>');
  });
});

describe('npm run up from outside the VNet (--setup-access)', () => {
  const cloud = () => JSON.parse(readFileSync(join(dir, 'cloud.json'), 'utf8'));
  const W = '203.0.113.7/32';
  const platformCalls = (calls: string[]) => calls.filter((c) => / synth$| synth \[|--stack platform|grant:sql/.test(c));

  test('without it, the platform step cannot write the secrets and says to use it', () => {
    const r = ops('up', ['--env', 'dev'], { outsideVnet: true });
    expect(r.status).toBe(1);
    expect(r.out).toContain('FAILED at step 5/12 "Platform stack (platform-dev)');
    expect(r.out).toContain('or from outside with `--setup-access <your address>/32`');
  });

  test('opens Key Vault and SQL to that address for the secrets and the database user, then closes them', () => {
    const r = ops('up', ['--env', 'dev', '--setup-access', W], { outsideVnet: true });
    expect(r.status).toBe(0);
    expect(platformCalls(r.calls)).toEqual([
      'npm run --silent synth',
      'npm run --silent tf -- plan --env dev --stack platform',
      `npm run --silent synth [SETUP_ACCESS_CIDR=${W}]`,
      'npm run --silent tf -- plan --env dev --stack platform',
      'npm run --silent tf -- apply --env dev --stack platform',
      'npm run --silent grant:sql -- --env dev --infra-outputs cdktf.out/outputs-dev.json',
      'npm run --silent synth',
      'npm run --silent tf -- plan --env dev --stack platform',
      'npm run --silent tf -- apply --env dev --stack platform',
    ]);
    expect(cloud()).toMatchObject({ window: null, granted: true, secretsWritten: true });
    expect(r.out).toContain('[13/13] Smoke test');
    expect(r.out).toContain('Key Vault and Azure SQL reachable only through their private endpoints again');
  });

  test('a second run finds nothing to do and keeps the window shut', () => {
    expect(ops('up', ['--env', 'dev', '--setup-access', W], { outsideVnet: true }).status).toBe(0);
    const again = ops('up', ['--env', 'dev', '--setup-access', W], { outsideVnet: true });
    expect(again.status).toBe(0);
    expect(changing(again.calls)).toEqual([]);
    expect(again.calls.some((c) => c.includes('SETUP_ACCESS_CIDR='))).toBe(false);
    expect(again.out).toContain('platform-dev: no changes; the setup window stays shut');
    expect(again.out).toContain('Nothing changed: dev already runs what this checkout describes.');
  });

  test('a failed database user step closes the window before it stops', () => {
    const r = ops('up', ['--env', 'dev', '--setup-access', W], { outsideVnet: true, fail: 'grant:sql' });
    expect(r.status).toBe(1);
    expect(r.out).toContain('FAILED at step 7/13 "Database user');
    expect(cloud().window).toBeNull();
    expect(r.calls.slice(-3)).toEqual([
      'npm run --silent synth',
      'npm run --silent tf -- plan --env dev --stack platform',
      'npm run --silent tf -- apply --env dev --stack platform',
    ]);
    expect(r.calls.some((c) => c.startsWith('az acr build'))).toBe(false);
    // The next run opens it again, makes the user and closes it.
    const resumed = ops('up', ['--env', 'dev', '--setup-access', W], { outsideVnet: true });
    expect(resumed.status).toBe(0);
    expect(cloud()).toMatchObject({ window: null, granted: true });
  });

  test('after down, the next up makes the database user again', () => {
    expect(ops('up', ['--env', 'dev', '--setup-access', W], { outsideVnet: true }).status).toBe(0);
    expect(ops('down', ['--env', 'dev', '--yes']).status).toBe(0);
    const r = ops('up', ['--env', 'dev', '--setup-access', W], { outsideVnet: true });
    expect(r.status).toBe(0);
    expect(r.calls).toContain(`npm run --silent synth [SETUP_ACCESS_CIDR=${W}]`);
    expect(r.calls.filter((c) => c.includes('grant:sql'))).toHaveLength(1);
  });

  test.each(['10.1.2.3/32', '203.0.113.0/24', 'home'])('refuses --setup-access %s before any command runs', (value) => {
    const r = ops('up', ['--env', 'dev', '--setup-access', value]);
    expect(r.status).toBe(2);
    expect(r.out).toContain(`--setup-access: dev.access.setupAccessCidr = "${value}": must be one public IPv4 address as a /32`);
    expect(r.calls).toEqual([]);
  });
});

describe('npm run down', () => {
  test('refuses without the typed name and destroys nothing', () => {
    ops('up', ['--env', 'dev']);
    const r = ops('down', ['--env', 'dev'], { input: 'prod\n' });
    expect(r.status).toBe(1);
    expect(r.out).toContain('The name did not match "dev": nothing was removed.');
    expect(r.calls).toEqual([]);
  });

  test('with the typed name, destroys the platform before the network, keeps the registry, and says what remains', () => {
    ops('up', ['--env', 'dev']);
    const r = ops('down', ['--env', 'dev'], { input: 'dev\n' });
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => c.includes('destroy'))).toEqual([
      'npm run --silent tf -- destroy --env dev --stack platform',
      'npm run --silent tf -- destroy --env dev --stack network',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'cloud.json'), 'utf8')).stacks).toEqual({ registry: true });
    expect(r.out).toContain('platform-dev: 7 resource(s) destroyed');
    const devVault = environments().find((e) => e.name === 'dev')!.data.keyVaultName;
    expect(r.out).toContain(`Key Vault ${devVault} is soft-deleted with purge protection: its name stays reserved for 7 days`);
  });

  test('--yes removes without asking; prod says its vault name stays reserved for 90 days', () => {
    const r = ops('down', ['--env', 'prod', '--yes']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('platform-prod: 0 resource(s) destroyed');
    expect(r.out).toContain('its name stays reserved for 90 days (nobody can purge it sooner)');
  });
});

describe('npm run monitor', () => {
  const sub = '11111111-2222-3333-4444-555555555555';
  const rg = `/subscriptions/${sub}/resourceGroups/networking-rg-dev`;

  test('prints the workbook, logs, alerts, cluster and traces links from the outputs', () => {
    mkdirSync(join(dir, 'cdktf.out'));
    writeFileSync(
      join(dir, 'cdktf.out', 'outputs-dev.json'),
      JSON.stringify({
        'platform-dev': {
          log_analytics_workspace_id: `${rg}/providers/Microsoft.OperationalInsights/workspaces/ws`,
          workbook_id: `${rg}/providers/Microsoft.Insights/workbooks/0f8fad5b-d9cb-469f-a165-70867728950e`,
          aks_cluster_id: `${rg}/providers/Microsoft.ContainerService/managedClusters/terraform-aks-cluster-dev`,
          app_insights_id: `${rg}/providers/Microsoft.Insights/components/terraform-aks-cluster-dev-appinsights`,
        },
      }),
    );
    const r = ops('monitor', ['--env', 'dev']);
    expect(r.status).toBe(0);
    expect(r.out).toContain(
      `workbook:  https://portal.azure.com/#@/resource${rg}/providers/Microsoft.Insights/workbooks/0f8fad5b-d9cb-469f-a165-70867728950e/workbook\n`,
    );
    expect(r.out).toContain(`alerts:    https://portal.azure.com/#@/resource/subscriptions/${sub}/resourceGroups/networking-rg-dev/alerts`);
    const appInsights = `https://portal.azure.com/#@/resource${rg}/providers/Microsoft.Insights/components/terraform-aks-cluster-dev-appinsights`;
    expect(r.out).toContain(`traces:    ${appInsights}/searchV1 `);
    expect(r.out).toContain(`app map:   ${appInsights}/applicationMap\n`);
  });

  test('without outputs it says which command writes them', () => {
    const r = ops('monitor', ['--env', 'dev']);
    expect(r.status).toBe(2);
    expect(r.out).toContain('cdktf.out/outputs-dev.json does not exist: run `npm run tf -- outputs --env dev` (or `npm run up`) first.');
    expect(existsSync(join(dir, 'cdktf.out'))).toBe(false);
  });
});
