/**
 * Plans and applies one environment's synthesized stacks with Terraform, in dependency order
 * (network, then platform), the way the pipeline does:
 *
 *   npm run synth && npm run tf -- plan --env dev      # init + plan -out=tfplan, plan.txt and plan-summary.json per stack
 *   npm run tf -- apply --env dev                      # applies exactly the saved plans, then writes outputs
 *   npm run tf -- apply --env dev --reviewed <dir>     # plans again, applies only if it equals the reviewed summaries
 *   npm run tf -- outputs --env dev                    # cdktf.out/outputs-dev.json (non-sensitive outputs)
 *   npm run tf -- plan --env shared                    # the registry stack every environment pulls from
 *   npm run tf -- destroy --env dev                    # plan -destroy and apply it, stacks in reverse order (npm run down)
 *   npm run tf -- plan --env dev --changes-file c.txt --summary-markdown s.md   # what the pipeline records
 *   npm run tf -- validate                             # terraform validate on every synthesized stack (no Azure)
 *
 * The binary plan holds every sensitive value in plain text, so it never leaves the machine
 * that made it: what is published for review is `plan.txt` (Terraform masks sensitive
 * values) and `plan-summary.json` (see plan-summary.ts). Terraform must be the version in
 * `.terraform-version`; the stacks require exactly that version too.
 *
 * A state lock older than --stale-lock-minutes (default 60) is released with
 * `terraform force-unlock` and the command retried once; a younger lock fails with who holds
 * it. The pipeline's environments allow one run at a time (exclusive lock check), so an old
 * lock can only be left over from a cancelled run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { flagLines, oneOf, parseArgs, UsageError, wholeNumber } from '../../lib/cli-args';
import { ENVIRONMENT_NAMES, opensSetupWindow, unsetSettingsIn } from '../../platform/environment-config';
import { STACK_NAMES } from '../../platform/stack-names';
import { TERRAFORM_VERSION } from '../config/terraform-version';
import { describeSummary, diffSummaries, summarizePlan, type PlanSummary } from './plan-summary';

const FLAGS = {
  env: 'environment: dev, prod, or shared (the registry stack)',
  stack: 'only this stack kind: network or platform (default both, in order)',
  'stacks-dir': 'where cdktf synth wrote the stacks (default cdktf.out/stacks)',
  'outputs-file': 'where apply/outputs write the outputs (default cdktf.out/outputs-<env>.json)',
  terraform: 'terraform binary (default terraform on PATH)',
  reviewed: 'apply: a folder with the reviewed <stack>/plan-summary.json files; plan again and apply only if identical',
  'stale-lock-minutes': 'release a state lock older than this; 0 never does (default 60)',
  'changes-file': "plan: write Terraform's -detailed-exitcode for the whole set there: 2 when any stack changes, 0 when none does",
  'summary-markdown': 'plan: write a short Markdown summary of every planned stack there (what the pipeline publishes on the run)',
};

export const STACK_KINDS = ['network', 'platform'] as const;
/** The environment name that stands for the stacks every environment shares (the registry). */
export const SHARED = 'shared';

/** The stacks of an environment, in the order they must be applied. */
export function stacksFor(env: string, kind?: string): string[] {
  if (env === SHARED) return [STACK_NAMES.registry];
  return (kind ? [kind as (typeof STACK_KINDS)[number]] : [...STACK_KINDS]).map((k) => STACK_NAMES[k](env));
}
export const PLAN_FILE = 'tfplan';
/** The reviewable outputs of a plan: published instead of the plan itself. */
export const PLAN_TEXT = 'plan.txt';
export const PLAN_SUMMARY = 'plan-summary.json';

/** What Terraform prints about the lock it could not take. */
export interface LockInfo {
  readonly id: string;
  readonly who?: string;
  readonly created?: Date;
}

/** Finds the lock in Terraform's "Error acquiring the state lock" output; `undefined` if it is another error. */
export function parseLockError(output: string): LockInfo | undefined {
  if (!/Error acquiring the state lock/i.test(output)) return undefined;
  const id = /^\s*ID:\s*(\S+)/m.exec(output)?.[1];
  if (!id) return undefined;
  const who = /^\s*Who:\s*(.+)$/m.exec(output)?.[1]?.trim();
  const createdText = /^\s*Created:\s*(.+)$/m.exec(output)?.[1]?.trim();
  // Terraform prints Go's time format: "2026-11-25 10:19:30.123456 +0000 UTC".
  const m = createdText ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})/.exec(createdText) : null;
  const created = m ? new Date(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${m[4]}:${m[5]}`) : undefined;
  return { id, ...(who ? { who } : {}), ...(created && !Number.isNaN(created.getTime()) ? { created } : {}) };
}

/** A lock is stale when it is older than the threshold; a lock of unknown age never is. */
export function isStale(lock: LockInfo, now: Date, staleMinutes: number): boolean {
  if (staleMinutes <= 0 || !lock.created) return false;
  return now.getTime() - lock.created.getTime() >= staleMinutes * 60_000;
}

/**
 * Inside the pipeline's AzureCLI@2 step, Terraform's azurerm provider and backend sign in
 * through the service connection with Azure DevOps' OIDC endpoint, which they call again
 * whenever a token runs out: the one-shot `idToken` the task hands out expires (about ten
 * minutes) during a long apply. Needs SYSTEM_ACCESSTOKEN mapped into the step. Nothing is
 * mapped outside a pipeline (locally, `az login` is used) or when ARM_CLIENT_ID is set.
 */
export function armEnvFromPipeline(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  if (env.ARM_CLIENT_ID || env.TF_BUILD?.toLowerCase() !== 'true') return {};
  const clientId = env.AZURESUBSCRIPTION_CLIENT_ID ?? env.servicePrincipalId;
  const tenantId = env.AZURESUBSCRIPTION_TENANT_ID ?? env.tenantId;
  const connection = env.AZURESUBSCRIPTION_SERVICE_CONNECTION_ID ?? env.ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID;
  const missing = [
    ...(clientId ? [] : ['AZURESUBSCRIPTION_CLIENT_ID (run inside AzureCLI@2 with the service connection)']),
    ...(tenantId ? [] : ['AZURESUBSCRIPTION_TENANT_ID']),
    ...(connection ? [] : ['AZURESUBSCRIPTION_SERVICE_CONNECTION_ID']),
    ...(env.SYSTEM_ACCESSTOKEN ? [] : ['SYSTEM_ACCESSTOKEN (map it into the step: env: SYSTEM_ACCESSTOKEN: $(System.AccessToken))']),
    ...(env.SYSTEM_OIDCREQUESTURI ? [] : ['SYSTEM_OIDCREQUESTURI']),
  ];
  if (missing.length > 0)
    throw new UsageError(`In a pipeline, Terraform signs in through the service connection's refreshing OIDC token; missing: ${missing.join(', ')}.`);
  return {
    ARM_USE_OIDC: 'true',
    ARM_USE_CLI: 'false',
    ARM_CLIENT_ID: clientId!,
    ARM_TENANT_ID: tenantId!,
    ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID: connection!,
    ARM_OIDC_REQUEST_TOKEN: env.SYSTEM_ACCESSTOKEN!,
    ARM_OIDC_REQUEST_URL: env.SYSTEM_OIDCREQUESTURI!,
  };
}

class StepError extends Error {}

/** Refuses any Terraform but the pinned one (`.terraform-version`). */
function requirePinnedTerraform(terraform: string): void {
  const version = spawnSync(terraform, ['version', '-json'], { encoding: 'utf8' });
  if (version.error) throw new StepError(`cannot run ${terraform}: ${version.error.message}`);
  let installed = 'unknown';
  try {
    installed = (JSON.parse(version.stdout) as { terraform_version: string }).terraform_version;
  } catch {
    // reported below
  }
  if (installed !== TERRAFORM_VERSION) {
    throw new UsageError(
      `terraform ${installed} is installed; this repo pins ${TERRAFORM_VERSION} (.terraform-version). ` +
        `Install that version (tfenv install, or the pipeline's TerraformInstaller) and run again.`,
    );
  }
}

/**
 * `terraform validate` on every synthesized stack, without a backend or Azure credentials: the
 * JSON cdktf wrote must be a configuration Terraform accepts with the pinned providers.
 */
function validateStacks(stacksDir: string, terraform: string): void {
  if (!existsSync(stacksDir)) throw new UsageError(`${stacksDir} does not exist: run \`npm run synth\` first.`);
  const stacks = readdirSync(stacksDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(stacksDir, e.name, 'cdk.tf.json')))
    .map((e) => e.name)
    .sort();
  if (stacks.length === 0) throw new UsageError(`${stacksDir} holds no synthesized stack: run \`npm run synth\` first.`);
  requirePinnedTerraform(terraform);
  const failed: string[] = [];
  for (const stack of stacks) {
    for (const tfArgs of [
      ['init', '-backend=false', '-input=false', '-no-color'],
      ['validate', '-no-color'],
    ]) {
      const r = spawnSync(terraform, [`-chdir=${join(stacksDir, stack)}`, ...tfArgs], {
        encoding: 'utf8',
        env: { ...process.env, TF_IN_AUTOMATION: '1' },
      });
      if (r.error) throw new StepError(`cannot run ${terraform}: ${r.error.message}`);
      process.stdout.write(`${r.stdout}${r.stderr}`);
      if (r.status !== 0) {
        failed.push(`${stack} (terraform ${tfArgs[0]}, exit ${r.status})`);
        break;
      }
    }
  }
  if (failed.length > 0) throw new StepError(`terraform validate failed for ${failed.join(', ')}`);
  process.stdout.write(`terraform validate: ${stacks.join(', ')} valid\n`);
}

/** The Markdown the pipeline publishes on the run (and the pull request): one section per stack. */
export function planMarkdown(title: string, summaries: readonly PlanSummary[]): string {
  const lines = [`## ${title}`, ''];
  for (const s of summaries) {
    lines.push(`### ${s.stack}`, '', '```', describeSummary(s), '```', '');
  }
  return lines.join('\n');
}

interface Run {
  readonly status: number;
  readonly output: string;
}

const USAGE = `Usage: npm run tf -- <plan|apply|outputs|validate|destroy> --env <dev|prod|shared> [options]
  plan      terraform init + plan -out=tfplan per stack, with plan.txt and plan-summary.json beside it
  apply     apply the saved plans (or, with --reviewed, plan again and apply only an identical plan)
  outputs   write the non-sensitive outputs of the stacks
  validate  terraform init -backend=false + validate of every stack in --stacks-dir (--env not needed)
  destroy   terraform plan -destroy, then apply that plan, per stack in reverse order (what npm run down runs)
Options:
${flagLines(FLAGS)}
Terraform signs in with az login locally (export ARM_SUBSCRIPTION_ID too), and through the
service connection in the pipeline.
`;

/** The environments `npm run tf` knows: those the infra config defines, and the shared registry. */
const KNOWN_ENVIRONMENTS = [...ENVIRONMENT_NAMES, SHARED] as const;

function main(): void {
  const [command, ...rest] = process.argv.slice(2);
  if (command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  if (!command || command.startsWith('-')) throw new UsageError(`Give a command: plan, apply, outputs, validate or destroy.\n${USAGE}`);
  if (!['plan', 'apply', 'outputs', 'validate', 'destroy'].includes(command))
    throw new UsageError(`Unknown command ${JSON.stringify(command)}: use plan, apply, outputs, validate or destroy.`);
  const args: Record<string, string> = { ...parseArgs(rest, FLAGS), command };
  const staleMinutes = wholeNumber('stale-lock-minutes', args['stale-lock-minutes'], 0, 100_000, 60);
  if (command === 'validate') {
    validateStacks(args['stacks-dir'] ?? 'cdktf.out/stacks', args.terraform ?? 'terraform');
    return;
  }
  oneOf('env', args.env ?? '', KNOWN_ENVIRONMENTS);
  if (args.stack) oneOf('stack', args.stack, STACK_KINDS);
  if (args.stack && args.env === SHARED) throw new UsageError('--stack does not apply to --env shared (one stack: the registry).');
  // azurerm 4 needs the subscription named; the pipeline's step sets it.
  if (args.command !== 'outputs' && !process.env.ARM_SUBSCRIPTION_ID) {
    throw new UsageError(
      'ARM_SUBSCRIPTION_ID is not set; the azurerm provider needs it: export ARM_SUBSCRIPTION_ID=$(az account show --query id -o tsv)',
    );
  }
  const terraform = args.terraform ?? 'terraform';
  const stacksDir = args['stacks-dir'] ?? 'cdktf.out/stacks';
  // Destroyed in reverse: the platform reads the network's state.
  const stacks = args.command === 'destroy' ? stacksFor(args.env!, args.stack).reverse() : stacksFor(args.env!, args.stack);
  for (const stack of stacks) {
    const file = join(stacksDir, stack, 'cdk.tf.json');
    if (!existsSync(file)) throw new UsageError(`${join(stacksDir, stack)} has no cdk.tf.json: run \`npm run synth\` first.`);
    const json = readFileSync(file, 'utf8');
    const unset = args.command === 'outputs' || args.command === 'destroy' ? [] : unsetSettingsIn(json);
    if (unset.length > 0)
      throw new UsageError(
        `${stack} was synthesized without ${unset.join(', ')}: set them (README "Synth and deploy") and run \`npm run synth\` again.`,
      );
    // The setup window is for `npm run up` at a person's terminal; in the pipeline it would stay open.
    if (process.env.TF_BUILD && (args.command === 'plan' || args.command === 'apply') && opensSetupWindow(json))
      throw new UsageError(
        `${stack} was synthesized with SETUP_ACCESS_CIDR (the setup window of \`npm run up -- --setup-access\`), which the pipeline ` +
          'never opens: remove SETUP_ACCESS_CIDR from the variable group and run again.',
      );
  }
  const armEnv = armEnvFromPipeline(process.env);

  requirePinnedTerraform(terraform);

  const tf = (stack: string, tfArgs: string[], quiet = false): Run => {
    const r = spawnSync(terraform, [`-chdir=${join(stacksDir, stack)}`, ...tfArgs], {
      encoding: 'utf8',
      env: { ...process.env, ...armEnv, TF_IN_AUTOMATION: '1' },
    });
    if (r.error) throw new StepError(`cannot run ${terraform}: ${r.error.message}`);
    const output = `${r.stdout}${r.stderr}`;
    if (!quiet) process.stdout.write(output);
    return { status: r.status ?? 1, output };
  };
  // Runs a state-locking command; releases a stale lock once and retries.
  const locked = (stack: string, tfArgs: string[], ok: (status: number) => boolean): Run => {
    const first = tf(stack, tfArgs);
    if (ok(first.status)) return first;
    const lock = parseLockError(first.output);
    if (!lock) throw new StepError(`${stack}: terraform ${tfArgs[0]} failed (exit ${first.status})`);
    const age = lock.created ? `${Math.round((Date.now() - lock.created.getTime()) / 60_000)} min old` : 'of unknown age';
    if (!isStale(lock, new Date(), staleMinutes)) {
      throw new StepError(
        `${stack}: the state is locked by ${lock.who ?? 'someone'} (lock ${lock.id}, ${age}); another run may be active. ` +
          `It is released automatically once older than ${staleMinutes} min.`,
      );
    }
    process.stdout.write(`${stack}: releasing stale state lock ${lock.id} (${age}, held by ${lock.who ?? 'unknown'})\n`);
    const unlock = tf(stack, ['force-unlock', '-force', lock.id]);
    if (unlock.status !== 0) throw new StepError(`${stack}: terraform force-unlock ${lock.id} failed`);
    const second = tf(stack, tfArgs);
    if (!ok(second.status)) throw new StepError(`${stack}: terraform ${tfArgs[0]} failed after releasing the stale lock (exit ${second.status})`);
    return second;
  };
  const init = (stack: string) => {
    const r = tf(stack, ['init', '-input=false', '-no-color']);
    if (r.status !== 0) throw new StepError(`${stack}: terraform init failed (exit ${r.status})`);
  };

  // Plans the stack into tfplan and writes what can be reviewed and published beside it.
  // Each plan's -detailed-exitcode: 0 no changes, 2 changes (1, an error, has thrown).
  const planStatus: number[] = [];
  const plan = (stack: string): PlanSummary => {
    const run = locked(
      stack,
      ['plan', '-input=false', '-no-color', '-lock-timeout=5m', `-out=${PLAN_FILE}`, '-detailed-exitcode'],
      (s) => s === 0 || s === 2,
    );
    planStatus.push(run.status);
    const shown = tf(stack, ['show', '-json', PLAN_FILE], true);
    if (shown.status !== 0) throw new StepError(`${stack}: terraform show -json failed (exit ${shown.status})`);
    let summary: PlanSummary;
    try {
      summary = summarizePlan(JSON.parse(shown.output) as Parameters<typeof summarizePlan>[0], stack);
    } catch {
      throw new StepError(`${stack}: terraform show -json did not print a plan`);
    }
    const text = tf(stack, ['show', '-no-color', PLAN_FILE], true);
    writeFileSync(join(stacksDir, stack, PLAN_TEXT), text.output);
    writeFileSync(join(stacksDir, stack, PLAN_SUMMARY), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  };

  if (args.command === 'plan') {
    const summaries: PlanSummary[] = [];
    for (const stack of stacks) {
      init(stack);
      const summary = plan(stack);
      summaries.push(summary);
      process.stdout.write(`${describeSummary(summary)}\nsaved to ${join(stacksDir, stack, PLAN_FILE)}; review ${PLAN_TEXT}\n`);
    }
    if (args['changes-file'] !== undefined) {
      mkdirSync(dirname(args['changes-file']), { recursive: true });
      writeFileSync(args['changes-file'], `${planStatus.includes(2) ? 2 : 0}\n`);
    }
    if (args['summary-markdown'] !== undefined) {
      mkdirSync(dirname(args['summary-markdown']), { recursive: true });
      writeFileSync(args['summary-markdown'], planMarkdown(`terraform plan: ${stacks.join(', ')}`, summaries));
    }
    // What the pipeline publishes: stacks, lock files and the reviewable summaries, never the binary plan.
    writeFileSync(join(stacksDir, '..', '.artifactignore'), `**/.terraform/**\n**/${PLAN_FILE}\n`);
    return;
  }
  if (args.command === 'destroy') {
    for (const stack of stacks) {
      init(stack);
      locked(stack, ['plan', '-destroy', '-input=false', '-no-color', '-lock-timeout=5m', `-out=${PLAN_FILE}`], (s) => s === 0);
      locked(stack, ['apply', '-input=false', '-no-color', '-lock-timeout=5m', PLAN_FILE], (s) => s === 0);
      process.stdout.write(`${stack}: destroyed\n`);
    }
    return;
  }
  if (args.command === 'apply') {
    for (const stack of stacks) {
      if (args.reviewed !== undefined) {
        const file = join(args.reviewed, stack, PLAN_SUMMARY);
        if (!existsSync(file)) throw new UsageError(`${stack}: no reviewed plan at ${file}.`);
        const reviewed = JSON.parse(readFileSync(file, 'utf8')) as PlanSummary;
        init(stack);
        const differences = diffSummaries(reviewed, plan(stack));
        if (differences.length > 0) {
          throw new StepError(
            `${stack}: the plan changed since it was reviewed, so nothing was applied:\n  ` +
              `${differences.join('\n  ')}\nRun the pipeline (or npm run tf -- plan) again and review the new plan.`,
          );
        }
        process.stdout.write(`${stack}: the fresh plan equals the reviewed one\n`);
      } else {
        if (!existsSync(join(stacksDir, stack, PLAN_FILE)))
          throw new UsageError(`${stack}: no saved plan ${PLAN_FILE}; run \`npm run tf -- plan --env ${args.env}\` and review it first.`);
        init(stack);
      }
      locked(stack, ['apply', '-input=false', '-no-color', '-lock-timeout=5m', PLAN_FILE], (s) => s === 0);
      process.stdout.write(`${stack}: applied\n`);
    }
  }
  // outputs reads the remote state, so a fresh copy of the stacks (the pipeline's Deploy) is initialised first.
  if (args.command === 'outputs') for (const stack of stacks) init(stack);
  // apply and outputs: the non-sensitive outputs, in the format `cdktf output --outputs-file` writes.
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const stack of stacks) {
    const r = tf(stack, ['output', '-json', '-no-color'], true);
    if (r.status !== 0) throw new StepError(`${stack}: terraform output failed (exit ${r.status}): ${r.output.trim()}`);
    let parsed: Record<string, { value: unknown; sensitive?: boolean }>;
    try {
      parsed = JSON.parse(r.output) as typeof parsed;
    } catch {
      throw new StepError(`${stack}: terraform output -json did not print JSON`);
    }
    outputs[stack] = Object.fromEntries(
      Object.entries(parsed)
        .filter(([, o]) => !o.sensitive)
        .map(([k, o]) => [k, o.value]),
    );
  }
  const file = args['outputs-file'] ?? `cdktf.out/outputs-${args.env}.json`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
  process.stdout.write(`wrote ${file} (sensitive outputs left out)\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`tf: ${(err as Error).message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  }
}
