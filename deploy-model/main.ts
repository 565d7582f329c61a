/**
 * The deploy model for the person about to deploy, or the pipeline's Validate stage: reads
 * the synthesized stacks and manifests and prints what Azure and Kubernetes would do with
 * them (flows, permissions, write order). Exit 1 when an expectation does not hold.
 *   npm run synth && npm run synth:k8s
 *   npm run check:deploy -- --env prod [--stacks-dir cdktf.out/stacks] [--manifests dist/k8s]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { oneOf, parseArgs, UsageError, usage } from '../lib/cli-args';
import { environments, unsetDeploySettings } from '../platform/environment-config';
import { MANIFEST_FILE_NAME } from '../k8s/synth-manifests';
import { checkDeployment } from './check-deployment';
import { formatReport } from './report';
import { parseManifest } from './synthesize';
import { TerraformModel } from './terraform-model';

const FLAGS = {
  env: 'environment to check (dev or prod); all by default',
  'stacks-dir': 'where cdktf synth wrote the stacks (default cdktf.out/stacks)',
  manifests: 'where synth:k8s wrote the manifests (default dist/k8s)',
};

function main(): number {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    process.stdout.write(usage('npm run check:deploy -- [options]', FLAGS));
    return 0;
  }
  const all = environments();
  const selected = args.env
    ? [
        all.find(
          (e) =>
            e.name ===
            oneOf(
              'env',
              args.env,
              all.map((c) => c.name),
            ),
        )!,
      ]
    : all;
  const terraform = TerraformModel.fromDirectory(args['stacks-dir'] ?? 'cdktf.out/stacks');
  let failed = 0;
  for (const config of selected) {
    // The principals come from this shell's settings; the stacks must have been synthesized with the same ones.
    const platform = JSON.stringify(terraform.stacks[`platform-${config.name}`] ?? {});
    const expected: [string, string][] = [
      ['DEPLOYER_OBJECT_ID', config.access.deployerObjectId],
      ['ADMIN_GROUP_OBJECT_ID', config.access.adminGroup.objectId],
      ['SQL_ADMIN_GROUP_OBJECT_ID', config.access.sqlAdminGroup.objectId],
      ['GLOBAL_NAME_PREFIX', `"${config.data.keyVaultName}"`],
      ...config.networking.adminCidrs.map((c): [string, string] => ['ADMIN_CIDRS', `"${c}"`]),
    ];
    const stale = [...new Set(expected.filter(([, value]) => !platform.includes(value)).map(([k]) => k))];
    if (stale.length > 0)
      throw new UsageError(
        `platform-${config.name} was synthesized with other ${stale.join(' and ')} than this shell's: ` +
          `run \`npm run synth\` again with the same settings.`,
      );
    const unset = unsetDeploySettings(config);
    if (unset.length > 0) process.stderr.write(`warning: ${unset.join(', ')} not set: the checks run on placeholders, which a deploy refuses.\n`);
    const file = join(args.manifests ?? 'dist/k8s', config.name, MANIFEST_FILE_NAME);
    if (!existsSync(file)) throw new UsageError(`${file} does not exist: run \`npm run synth:k8s\` first.`);
    const report = checkDeployment({ terraform, manifests: parseManifest(readFileSync(file, 'utf8')), config });
    process.stdout.write(formatReport(report));
    failed += report.failures.length;
  }
  return failed === 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`check:deploy: ${(err as Error).message}\n`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
}
