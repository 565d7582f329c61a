/**
 * From a clone to a running environment, and again to bring it up to date:
 *   npm run up -- --env dev
 * Preflight, synth, the registry / network / platform stacks (each planned, applied only when
 * the plan changes something), the app identity's database user, the image built in the
 * registry (`az acr build`: no local Docker), the manifests with the stacks' outputs and the
 * image's digest, the rollout, the smoke test; then where the app and its dashboards are.
 * Every step runs the npm scripts the pipeline runs, and checks before it changes anything:
 * a second run changes nothing and says so, and a run that stopped continues where it did.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { AppContract } from '../app/src/app-contract';
import { parseArgs, usage, UsageError } from '../lib/cli-args';
import { environments, InfraConfigError } from '../platform/environment-config';
import {
  imageReference,
  imageTag,
  manifestFile,
  outputsFile,
  plan,
  planAndApply,
  setupRecordFile,
  stackNames,
  target,
  type OpsTarget,
} from './environment';
import { must, runSteps, sh, StepFailed, StepsStopped, type Outcome, type Step } from './steps';

const FLAGS = {
  env: 'the environment of the platform model to bring up (platform/<env>.ts), e.g. dev',
  'setup-access':
    "from outside the VNet: this machine's public address as a /32 (e.g. `$(curl -s https://api.ipify.org)/32`); Key Vault and " +
    'Azure SQL admit it (and only it) while the platform stack writes the secrets and the database user is made, then are closed again',
};

/** How `up` reaches the private Key Vault and Azure SQL: from inside the VNet, or through the setup window. */
export interface UpOptions {
  /** `--setup-access`: the one address the setup window admits. @default none: run from inside the VNet */
  readonly setupAccessCidr?: string;
}

/** The steps of `up` for one environment, in order. */
export function upSteps({ config, registry }: OpsTarget, options: UpOptions = {}): Step[] {
  const env = config.name;
  const stacks = stackNames(env);
  const { namespace } = AppContract.kubernetes;
  const app = AppContract.appName;
  const platformArgs = ['--env', env, '--stack', 'platform'];
  const cidr = options.setupAccessCidr;
  let image = '';
  /** The window's state in this run: `shut` when an earlier run did the work and nothing changed since. */
  let window: 'none' | 'open' | 'shut' = 'none';
  const closeWindow = (): Outcome => {
    must('npm', ['run', '--silent', 'synth']);
    const closed = planAndApply(platformArgs, stacks.platform);
    window = 'none';
    return { changed: closed.changed, detail: `${stacks.platform}: Key Vault and Azure SQL reachable only through their private endpoints again` };
  };
  const grantStep: Step = {
    title: "Database user for the app's managed identity",
    help: cidr
      ? "Sign in (az login) as a member of the SQL administrators' group (SQL_ADMIN_GROUP_OBJECT_ID); the window was closed again."
      : "Azure SQL is private: run from inside the VNet (or with --setup-access), signed in as a member of the SQL administrators' " +
        'group (SQL_ADMIN_GROUP_OBJECT_ID).',
    run: () => {
      if (window === 'shut') return { changed: false, detail: `made by an earlier run (${setupRecordFile(env)}); the window stays shut` };
      let out: string;
      try {
        out = must('npm', ['run', '--silent', 'grant:sql', '--', '--env', env, '--infra-outputs', outputsFile(env)]);
      } catch (err) {
        // Never leave the window open behind a failed step.
        if (window === 'open') closeWindow();
        throw err;
      }
      if (cidr) writeFileSync(setupRecordFile(env), `${JSON.stringify({ environment: env, databaseUser: 'granted' })}\n`);
      return { changed: !/already/i.test(out), detail: out.trim().split('\n').pop() ?? 'granted' };
    },
  };
  const steps: Step[] = [
    {
      title: 'Preflight: what the stacks assume of the subscription and the signed-in account',
      help: 'Fix what the preflight names (docs/deploy-model.md explains each check); `az login` first if it says you are signed out.',
      run: () => (must('npm', ['run', '--silent', 'preflight', '--', '--env', env]), { changed: false, detail: 'checked' }),
    },
    {
      title: 'Synthesize the Terraform stacks',
      help: 'Synth names the setting it refused and the value expected: set it (docs/deploy.md "Synth and deploy") and run again.',
      run: () => (must('npm', ['run', '--silent', 'synth']), { changed: false, detail: 'cdktf.out/stacks written' }),
    },
    {
      title: `Registry stack (${stacks.registry}), shared by every environment`,
      help: 'Read the Terraform error above; a state lock held by another run clears when that run ends.',
      run: () => planAndApply(['--env', 'shared'], stacks.registry),
    },
    {
      title: `Network stack (${stacks.network})`,
      help: 'Read the Terraform error above; a state lock held by another run clears when that run ends.',
      run: () => planAndApply(['--env', env, '--stack', 'network'], stacks.network),
    },
    {
      title: `Platform stack (${stacks.platform}): AKS, Key Vault, Azure SQL, monitoring${cidr ? `, with the setup window open to ${cidr}` : ''}`,
      help: cidr
        ? 'Read the Terraform error above; the window may be open: run `npm run up` again with the same flags (it closes it at the end), ' +
          'or `npm run synth && npm run tf -- apply --env ' +
          env +
          ' --stack platform` without SETUP_ACCESS_CIDR.'
        : "This stack writes Key Vault secrets through the vault's private endpoint: run `npm run up` from a machine in the " +
          `environment's deploy-agent subnet (${config.networking.vnetName}, the pipeline's deploy pool), ` +
          'or from outside with `--setup-access <your address>/32`, signed in as the deployer or an administrator.',
      run: () => {
        if (!cidr) return planAndApply(platformArgs, stacks.platform);
        // Open the window only when there is work behind it: a change to the stack, or a database user no run has made.
        const pending = plan(platformArgs, stacks.platform);
        if (pending.resources === 0 && pending.outputs === 0 && existsSync(setupRecordFile(env))) {
          window = 'shut';
          return { changed: false, detail: `${stacks.platform}: no changes; the setup window stays shut` };
        }
        must('npm', ['run', '--silent', 'synth'], { env: { SETUP_ACCESS_CIDR: cidr } });
        window = 'open';
        const applied = planAndApply(platformArgs, stacks.platform);
        return { changed: true, detail: `${applied.detail}; Key Vault and Azure SQL admit ${cidr} until the window is closed` };
      },
    },
    {
      title: "Write the stacks' outputs",
      help: 'The platform stack must have been applied; read the Terraform error above.',
      run: () => (must('npm', ['run', '--silent', 'tf', '--', 'outputs', '--env', env]), { changed: false, detail: outputsFile(env) }),
    },
    grantStep,
    ...(cidr
      ? [
          {
            title: 'Close the setup window: the platform stack applied again without it',
            help:
              'Read the Terraform error above and run `npm run up` again with the same flags: until then Key Vault and Azure SQL admit ' + cidr + '.',
            run: (): Outcome => (window === 'open' ? closeWindow() : { changed: false, detail: 'the window was not opened' }),
          },
        ]
      : []),
    {
      title: `Image ${app} built in the registry ${registry.name} (az acr build)`,
      help: 'Read the build log above; `az acr build` needs Contributor (or AcrPush and build rights) on the registry.',
      run: () => {
        const tag = imageTag();
        const exists = sh('az', ['acr', 'repository', 'show', '--name', registry.name, '--image', `${app}:${tag}`], { quiet: true }).code === 0;
        if (!exists) must('az', ['acr', 'build', '--registry', registry.name, '--image', `${app}:${tag}`, '--file', 'app/Dockerfile', '.']);
        image = imageReference(registry, tag);
        return { changed: !exists, detail: exists ? `${app}:${tag} is already in the registry` : `built ${image}` };
      },
    },
    {
      title: "Kubernetes manifest with the stacks' outputs and the image digest",
      help: 'The manifest synth names the setting or output it refused; fix it and run again.',
      run: () => {
        if (!image) throw new StepFailed('no image reference (the image step did not run)');
        must('npm', ['run', '--silent', 'synth:k8s', '--', '--env', env, '--infra-outputs', outputsFile(env), '--deploy-image', image]);
        return { changed: false, detail: manifestFile(env) };
      },
    },
    {
      title: `Cluster credentials for ${config.cluster.name}`,
      help: 'You need "Azure Kubernetes Service RBAC Writer" (or Cluster Admin) on the cluster, and kubelogin installed (`az aks install-cli`).',
      run: () => {
        must('az', [
          'aks',
          'get-credentials',
          '--resource-group',
          config.networking.resourceGroupName,
          '--name',
          config.cluster.name,
          '--overwrite-existing',
        ]);
        must('kubelogin', ['convert-kubeconfig', '-l', 'azurecli']);
        return { changed: false, detail: 'kubeconfig updated' };
      },
    },
    {
      title: 'Apply the manifest and wait for the rollout',
      help:
        `See \`kubectl -n ${namespace} get events --sort-by=.lastTimestamp\` and ` +
        `\`kubectl -n ${namespace} describe deployment/${app}\`; docs/operations.md has the runbook.`,
      run: () => {
        const diff = sh('kubectl', ['diff', '-f', manifestFile(env)], { quiet: true });
        if (diff.code === 0) return { changed: false, detail: 'the cluster already runs this manifest' };
        if (diff.code !== 1) throw new StepFailed(`\`kubectl diff\` exited with ${diff.code}: ${diff.output.trim().split('\n').pop() ?? ''}`);
        must('kubectl', ['apply', '-f', manifestFile(env)]);
        must('kubectl', ['-n', namespace, 'rollout', 'status', `deployment/${app}`, '--timeout=600s']);
        return { changed: true, detail: `deployment/${app} rolled out` };
      },
    },
    {
      title: 'Smoke test: list page, an order created and read back',
      help: `The app is deployed but failing its checks: \`kubectl -n ${namespace} logs deployment/${app}\`; docs/operations.md has the runbook.`,
      run: () => (must('npm', ['run', '--silent', 'smoke', '--', '--port-forward', `${namespace}/${app}`]), { changed: false, detail: 'passed' }),
    },
  ];
  return steps;
}

/** Where to reach the app once it is up. */
export function whereToReach({ config }: OpsTarget): string {
  const { namespace } = AppContract.kubernetes;
  const app = AppContract.appName;
  const exposure = config.exposure;
  if (exposure.mode === 'public' && exposure.publicHost) return `https://${exposure.publicHost}/`;
  if (exposure.mode === 'internal') return `http://<the internal load balancer address: kubectl -n ${namespace} get service ${app}>/ (from the VNet)`;
  return `kubectl -n ${namespace} port-forward service/${app} 8080:http, then http://127.0.0.1:8080/`;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    process.stdout.write(usage('npm run up -- --env <env> [--setup-access <address>/32]', FLAGS));
    return;
  }
  const t = target(args.env);
  const setupAccessCidr = args['setup-access'];
  if (setupAccessCidr !== undefined) {
    try {
      environments({ ...process.env, SETUP_ACCESS_CIDR: setupAccessCidr });
    } catch (err) {
      if (err instanceof InfraConfigError) throw new UsageError(`--setup-access: ${err.message}`);
      throw err;
    }
  }
  const changed = runSteps(upSteps(t, { setupAccessCidr }));
  const summary =
    changed === 0 ? `Nothing changed: ${t.config.name} already runs what this checkout describes.` : `${changed} step(s) changed ${t.config.name}.`;
  process.stdout.write(`\n${summary}\n` + `The app: ${whereToReach(t)}\nDashboards, logs and alerts: npm run monitor -- --env ${t.config.name}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    if (!(err instanceof StepsStopped)) process.stderr.write(`up: ${(err as Error).message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  }
}
