/**
 * Removes one environment, in reverse order of `up`, after its name is typed:
 *   npm run down -- --env dev            (asks for "dev")
 *   npm run down -- --env dev --yes      (automation: no question)
 * Destroys the platform stack (cluster, app, Key Vault, SQL, monitoring), then the network
 * stack, through `npm run tf -- destroy`. The shared registry stays. Then says what is left:
 * the soft-deleted Key Vault and how long its name stays reserved, the logs' retention.
 */
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs, usage, UsageError } from '../lib/cli-args';
import { setupRecordFile, stackNames, target, type OpsTarget } from './environment';
import { must, runSteps, StepsStopped, type Step } from './steps';

const FLAGS = { env: 'the environment to remove, e.g. dev' };
const YES = '--yes';

/** The steps of `down` for one environment, in order. */
export function downSteps({ config }: OpsTarget): Step[] {
  const env = config.name;
  const stacks = stackNames(env);
  const destroy = (kind: 'platform' | 'network') => (): { changed: boolean; detail: string } => {
    const out = must('npm', ['run', '--silent', 'tf', '--', 'destroy', '--env', env, '--stack', kind]);
    // The next `up -- --setup-access` must make the database user again.
    if (kind === 'platform') rmSync(setupRecordFile(env), { force: true });
    const m = /Destroy complete! Resources: (\d+) destroyed/.exec(out);
    const n = m ? Number(m[1]) : undefined;
    return { changed: n !== 0, detail: n === undefined ? `${stacks[kind]} destroyed` : `${stacks[kind]}: ${n} resource(s) destroyed` };
  };
  return [
    {
      title: 'Synthesize the Terraform stacks (destroy reads them)',
      help: 'Synth names the setting it refused: set it as for `npm run up` and run again.',
      run: () => (must('npm', ['run', '--silent', 'synth']), { changed: false, detail: 'cdktf.out/stacks written' }),
    },
    {
      title: `Destroy the platform stack (${stacks.platform}): the cluster and the app with it, Key Vault, Azure SQL, monitoring`,
      help: 'Key Vault secrets are deleted through the private endpoint: run from inside the VNet (the deploy pool), as for `npm run up`.',
      run: destroy('platform'),
    },
    {
      title: `Destroy the network stack (${stacks.network})`,
      help: 'A subnet still in use (e.g. a deploy agent pool outside the stacks) blocks the VNet: remove it and run again.',
      run: destroy('network'),
    },
  ];
}

/** What `down` leaves behind, and how long names stay reserved. */
export function whatRemains({ config, registry }: OpsTarget): string {
  const d = config.data;
  const vault = d.keyVaultPurgeProtection
    ? `Key Vault ${d.keyVaultName} is soft-deleted with purge protection: its name stays reserved for ${d.keyVaultSoftDeleteRetentionDays} days ` +
      '(nobody can purge it sooner). An `npm run up` before then recovers it: the azurerm provider recovers a ' +
      `soft-deleted vault of the same name by default (or \`az keyvault recover --name ${d.keyVaultName}\`).`
    : `Key Vault ${d.keyVaultName} is soft-deleted for ${d.keyVaultSoftDeleteRetentionDays} days. To free its name at once: ` +
      `\`az keyvault purge --name ${d.keyVaultName}\`.`;
  return [
    'What remains:',
    `- ${vault}`,
    `- The SQL server name ${d.sqlServerName} is free again at once; the database and its backups are gone.`,
    `- Logs in the deleted workspace are gone with it (a deleted Log Analytics workspace can be recovered for 14 days).`,
    `- The shared registry ${registry.name} and its images stay: other environments pull from it ` +
      '(`npm run tf -- destroy --env shared` removes it).',
    '- The Terraform state of both stacks stays, now empty; `npm run up` starts from it.',
  ].join('\n');
}

async function confirmed(env: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`This removes environment "${env}" and its data. Type its name to go on: `);
    return answer.trim() === env;
  } finally {
    rl.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(
    argv.filter((a) => a !== YES),
    FLAGS,
  );
  if (args.help) {
    process.stdout.write(`${usage('npm run down -- --env <env> [--yes]', FLAGS)}  --yes  remove without asking (automation)\n`);
    return;
  }
  const t = target(args.env);
  if (!(await confirmed(t.config.name, argv.includes(YES)))) {
    process.stdout.write(`The name did not match "${t.config.name}": nothing was removed.\n`);
    process.exitCode = 1;
    return;
  }
  runSteps(downSteps(t));
  process.stdout.write(`\nEnvironment ${t.config.name} is removed.\n${whatRemains(t)}\n`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    if (!(err instanceof StepsStopped)) process.stderr.write(`down: ${err.message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
