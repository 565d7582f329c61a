/**
 * Plans and applies one environment's synthesized stacks with Terraform, in dependency order
 * (network, then platform), the way the pipeline does:
 *
 *   npm run synth && npm run tf -- plan --env dev      # init + plan -out=tfplan in cdktf.out/stacks/<stack>
 *   npm run tf -- apply --env dev                      # applies exactly the saved plans, then writes outputs
 *   npm run tf -- outputs --env dev                    # cdktf.out/outputs-dev.json (non-sensitive outputs)
 *   npm run tf -- plan --env shared                    # the registry stack every environment pulls from
 *
 * A state lock older than --stale-lock-minutes (default 60) is released with
 * `terraform force-unlock` and the command retried once; a younger lock fails with who holds
 * it. The pipeline's environments allow one run at a time (exclusive lock check), so an old
 * lock can only be left over from a cancelled run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs, UsageError, wholeNumber } from '../../app/scripts/cli-args';

const FLAGS = {
  env: 'environment: dev, prod, or shared (the registry stack)',
  stack: 'only this stack kind: network or platform (default both, in order)',
  'stacks-dir': 'where cdktf synth wrote the stacks (default cdktf.out/stacks)',
  'outputs-file': 'where apply/outputs write the outputs (default cdktf.out/outputs-<env>.json)',
  terraform: 'terraform binary (default terraform on PATH)',
  'stale-lock-minutes': 'release a state lock older than this; 0 never does (default 60)',
};

export const STACK_KINDS = ['network', 'platform'] as const;
/** The environment name that stands for the stacks every environment shares (the registry). */
export const SHARED = 'shared';

/** The stacks of an environment, in the order they must be applied. */
export function stacksFor(env: string, kind?: string): string[] {
  if (env === SHARED) return ['registry'];
  return (kind ? [kind] : [...STACK_KINDS]).map((k) => `${k}-${env}`);
}
export const PLAN_FILE = 'tfplan';

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
 * Inside the pipeline's AzureCLI@2 step (`addSpnToEnvironment: true`), the service connection's
 * workload identity federation token is in `idToken`; Terraform's azurerm provider and backend
 * take it as ARM_* variables. Nothing is mapped when ARM_CLIENT_ID is already set or there is
 * no token (locally, `az login` is used).
 */
export function armEnvFromAzureCli(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  if (env.ARM_CLIENT_ID || !env.idToken || !env.servicePrincipalId || !env.tenantId) return {};
  return { ARM_CLIENT_ID: env.servicePrincipalId, ARM_TENANT_ID: env.tenantId, ARM_OIDC_TOKEN: env.idToken, ARM_USE_OIDC: 'true' };
}

class StepError extends Error {}

interface Run {
  readonly status: number;
  readonly output: string;
}

function main(): void {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command.startsWith('-')) throw new UsageError('Give a command: plan, apply or outputs.');
  if (!['plan', 'apply', 'outputs'].includes(command)) throw new UsageError(`Unknown command ${JSON.stringify(command)}: use plan, apply or outputs.`);
  const args: Record<string, string> = { ...parseArgs(rest, FLAGS), command };
  const staleMinutes = wholeNumber('stale-lock-minutes', args['stale-lock-minutes'], 0, 100_000, 60);
  if (!args.env || !/^[a-z0-9-]+$/.test(args.env)) throw new UsageError('--env must name an environment, e.g. --env dev.');
  if (args.stack && !(STACK_KINDS as readonly string[]).includes(args.stack)) throw new UsageError(`--stack must be one of ${STACK_KINDS.join(', ')}; got ${JSON.stringify(args.stack)}.`);
  const terraform = args.terraform ?? 'terraform';
  const stacksDir = args['stacks-dir'] ?? 'cdktf.out/stacks';
  const stacks = stacksFor(args.env!, args.stack);
  for (const stack of stacks) {
    if (!existsSync(join(stacksDir, stack, 'cdk.tf.json'))) throw new UsageError(`${join(stacksDir, stack)} has no cdk.tf.json: run \`npm run synth\` first.`);
  }

  const tf = (stack: string, tfArgs: string[], quiet = false): Run => {
    const r = spawnSync(terraform, [`-chdir=${join(stacksDir, stack)}`, ...tfArgs], { encoding: 'utf8', env: { ...process.env, ...armEnvFromAzureCli(process.env), TF_IN_AUTOMATION: '1' } });
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
      throw new StepError(`${stack}: the state is locked by ${lock.who ?? 'someone'} (lock ${lock.id}, ${age}); another run may be active. It is released automatically once older than ${staleMinutes} min.`);
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

  if (args.command === 'plan') {
    for (const stack of stacks) {
      init(stack);
      // -detailed-exitcode: 0 no changes, 2 changes, 1 error.
      const r = locked(stack, ['plan', '-input=false', '-no-color', '-lock-timeout=5m', `-out=${PLAN_FILE}`, '-detailed-exitcode'], (s) => s === 0 || s === 2);
      process.stdout.write(`${stack}: ${r.status === 2 ? 'changes planned' : 'no changes'}; saved to ${join(stacksDir, stack, PLAN_FILE)}\n`);
    }
    // The pipeline publishes the stacks with their plans and lock files; providers are fetched again by init.
    writeFileSync(join(stacksDir, '..', '.artifactignore'), '**/.terraform/**\n');
    return;
  }
  if (args.command === 'apply') {
    for (const stack of stacks) {
      if (!existsSync(join(stacksDir, stack, PLAN_FILE))) throw new UsageError(`${stack}: no saved plan ${PLAN_FILE}; run \`npm run tf -- plan --env ${args.env}\` and review it first.`);
      init(stack);
      locked(stack, ['apply', '-input=false', '-no-color', '-lock-timeout=5m', PLAN_FILE], (s) => s === 0);
      process.stdout.write(`${stack}: applied\n`);
    }
  }
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
    outputs[stack] = Object.fromEntries(Object.entries(parsed).filter(([, o]) => !o.sensitive).map(([k, o]) => [k, o.value]));
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
