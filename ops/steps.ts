import { spawnSync } from 'node:child_process';

/** What a step did: `changed` when it changed something in Azure or the cluster. */
export interface Outcome {
  readonly changed: boolean;
  readonly detail: string;
}

/** One step of `up` or `down`: checks the current state and changes only what differs. */
export interface Step {
  readonly title: string;
  /** What to do when the step fails, in one or two sentences. */
  readonly help: string;
  run(): Outcome;
}

/** A step failed; the runner prints its title, the reason and the step's help. */
export class StepFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailed';
  }
}

/** `runSteps` stopped at a failed step (already reported). */
export class StepsStopped extends Error {
  constructor(public readonly step: string) {
    super(`stopped at "${step}"`);
    this.name = 'StepsStopped';
  }
}

/** The output of a command run by a step. */
export interface Ran {
  readonly code: number;
  readonly output: string;
}

/**
 * Runs a command (found on PATH) and returns its exit code and output. The output is shown as
 * it arrives unless `quiet`; it is always returned. `env` adds variables to this process's
 * environment for the command. A command that cannot start is a
 * `StepFailed` naming it.
 */
export function sh(
  command: string,
  args: readonly string[],
  options: { quiet?: boolean; input?: string; env?: Readonly<Record<string, string>> } = {},
): Ran {
  const env = options.env ? { ...process.env, ...options.env } : undefined;
  const r = spawnSync(command, args, { encoding: 'utf8', input: options.input, env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new StepFailed(`cannot run ${command}: ${r.error.message}. Is it installed and on PATH?`);
  const output = `${r.stdout}${r.stderr}`;
  if (!options.quiet && output) process.stdout.write(output.replace(/^/gm, '      '));
  return { code: r.status ?? 1, output };
}

/** Like `sh`, but a non-zero exit is a `StepFailed` saying which command failed. */
export function must(command: string, args: readonly string[], options: { quiet?: boolean; env?: Readonly<Record<string, string>> } = {}): string {
  const r = sh(command, args, options);
  if (r.code !== 0) throw new StepFailed(`\`${[command, ...args].join(' ')}\` exited with ${r.code}`);
  return r.output;
}

/** A step whose work is asynchronous (an HTTP API): otherwise as `Step`. */
export interface AsyncStep {
  readonly title: string;
  readonly help: string;
  run(): Outcome | Promise<Outcome>;
}

const defaultWrite = (l: string): void => void process.stdout.write(`${l}\n`);

function reportFailure(write: (line: string) => void, i: number, n: number, step: Step | AsyncStep, err: unknown): never {
  write(`  FAILED at step ${i + 1}/${n} "${step.title}": ${(err as Error).message}`);
  write(`  What to do: ${step.help}`);
  write('  Then run the same command again: the finished steps are checked, not redone.');
  throw new StepsStopped(step.title);
}

const reportOutcome = (write: (line: string) => void, outcome: Outcome): void =>
  write(`  ${outcome.changed ? 'changed' : 'unchanged'}: ${outcome.detail}`);

/**
 * Runs the steps in order, printing `[i/n] title` and what each did. Stops at the first
 * failure with the step's name, the reason and what to do; since every step checks before
 * it changes anything, running the same command again continues where it stopped. Returns
 * the number of steps that changed something, or throws `StepsStopped` (the failure is printed).
 */
export function runSteps(steps: readonly Step[], write: (line: string) => void = defaultWrite): number {
  let changed = 0;
  steps.forEach((step, i) => {
    write(`[${i + 1}/${steps.length}] ${step.title}`);
    let outcome: Outcome;
    try {
      outcome = step.run();
    } catch (err) {
      reportFailure(write, i, steps.length, step, err);
    }
    if (outcome.changed) changed++;
    reportOutcome(write, outcome);
  });
  return changed;
}

/** `runSteps` for steps that may be asynchronous: the same output, one step at a time. */
export async function runStepsAsync(steps: readonly AsyncStep[], write: (line: string) => void = defaultWrite): Promise<number> {
  let changed = 0;
  for (const [i, step] of steps.entries()) {
    write(`[${i + 1}/${steps.length}] ${step.title}`);
    let outcome: Outcome;
    try {
      outcome = await step.run();
    } catch (err) {
      reportFailure(write, i, steps.length, step, err);
    }
    if (outcome.changed) changed++;
    reportOutcome(write, outcome);
  }
  return changed;
}
