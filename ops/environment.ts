import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppContract } from '../app/src/app-contract';
import { oneOf, UsageError } from '../lib/cli-args';
import { ENVIRONMENT_NAMES, environments, type EnvironmentConfig } from '../platform/environment-config';
import { loginServer, registryConfig, type RegistryConfig } from '../platform/registry-config';
import { STACK_NAMES } from '../platform/stack-names';
import { must, sh, StepFailed, type Outcome } from './steps';

/** Where `cdktf synth` writes the stacks and `npm run tf` its plans and outputs. */
export const STACKS_DIR = join('cdktf.out', 'stacks');
export const outputsFile = (env: string): string => join('cdktf.out', `outputs-${env}.json`);
export const manifestFile = (env: string): string => join('dist', 'k8s', env, 'application-manifest.yaml');

/** One environment of the platform model, with the registry and the names `up`/`down` use. */
export interface OpsTarget {
  readonly config: EnvironmentConfig;
  readonly registry: RegistryConfig;
}

export function target(envFlag: string | undefined): OpsTarget {
  const name = oneOf('env', envFlag, ENVIRONMENT_NAMES);
  const config = environments().find((e) => e.name === name);
  if (!config) throw new UsageError(`--env ${name}: not in the platform model (platform/).`);
  return { config, registry: registryConfig() };
}

/** `npm run tf -- plan`; how many resources and outputs the saved plan changes. */
export function plan(tfArgs: readonly string[], stack: string): { resources: number; outputs: number } {
  must('npm', ['run', '--silent', 'tf', '--', 'plan', ...tfArgs]);
  const file = join(STACKS_DIR, stack, 'plan-summary.json');
  if (!existsSync(file)) throw new StepFailed(`the plan wrote no ${file}`);
  const summary = JSON.parse(readFileSync(file, 'utf8')) as { changes: unknown[]; outputChanges: unknown[] };
  return { resources: summary.changes.length, outputs: summary.outputChanges.length };
}

/** `npm run tf -- plan`, then `apply` only when the saved plan changes something. */
export function planAndApply(tfArgs: readonly string[], stack: string): Outcome {
  const changes = plan(tfArgs, stack);
  if (changes.resources === 0 && changes.outputs === 0) return { changed: false, detail: `${stack}: no changes` };
  must('npm', ['run', '--silent', 'tf', '--', 'apply', ...tfArgs]);
  return { changed: true, detail: `${stack}: applied ${changes.resources} resource change(s)` };
}

/**
 * Where `up -- --setup-access` notes that it made the app's database user from outside the
 * VNet (`down` removes it): a later run whose platform plan is empty then keeps the window shut.
 */
export const setupRecordFile = (env: string): string => join('cdktf.out', `setup-done-${env}.json`);

/**
 * The image's tag: the commit, and for a working tree with changes also a hash of those
 * changes (`az acr build` uploads the working tree, so the tag must say what it holds).
 */
export function imageTag(): string {
  const commit = must('git', ['rev-parse', '--short=12', 'HEAD'], { quiet: true }).trim();
  const dirty = must('git', ['status', '--porcelain', '--untracked-files=no'], { quiet: true }).trim();
  if (!dirty) return commit;
  const diff = must('git', ['diff', 'HEAD'], { quiet: true });
  return `${commit}-dirty-${createHash('sha256').update(diff).digest('hex').slice(0, 8)}`;
}

/** `<login server>/order-app:<tag>@sha256:...`: the manifest deploys the digest the registry holds. */
export function imageReference(registry: RegistryConfig, tag: string): string {
  const digest = sh(
    'az',
    ['acr', 'repository', 'show', '--name', registry.name, '--image', `${AppContract.appName}:${tag}`, '--query', 'digest', '-o', 'tsv'],
    {
      quiet: true,
    },
  );
  const sha = digest.output.trim();
  if (digest.code !== 0 || !/^sha256:[0-9a-f]{64}$/.test(sha)) throw new StepFailed(`the registry has no digest for ${AppContract.appName}:${tag}`);
  return `${loginServer(registry)}/${AppContract.appName}:${tag}@${sha}`;
}

export const stackNames = (env: string) => ({
  registry: STACK_NAMES.registry,
  network: STACK_NAMES.network(env),
  platform: STACK_NAMES.platform(env),
});
