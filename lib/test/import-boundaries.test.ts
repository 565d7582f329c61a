import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '../..');
// The repo's own config, passed in: jest cannot run ESLint's dynamic import of eslint.config.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config file, read as ESLint would
const config = require(join(ROOT, 'eslint.config.js'));
const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: config });

/** Writes a file importing `specifier` into `dir`, lints it with the repo's config, deletes it; returns the import errors. */
async function importErrors(dir: string, specifier: string): Promise<string[]> {
  const file = join(ROOT, dir, `boundary-probe-${process.pid}-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, `import * as probe from '${specifier}';\nexport const used = probe;\n`);
  try {
    const [result] = await eslint.lintFiles([file]);
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  } finally {
    rmSync(file, { force: true });
  }
}

test('a k8s/ file importing infra/ fails the lint, naming the rule', async () => {
  const errors = await importErrors('k8s/config', '../../infra/stacks/base-stack');
  expect(errors).toEqual([expect.stringContaining('k8s/ never imports infra/')]);
});

test.each([
  ['k8s/test', '../../infra/test/helpers', 'k8s/ never imports infra/'],
  ['k8s/test', '../../test-helpers/synth-helpers', 'k8s/ never imports infra/, directly or through test-helpers/synth-helpers'],
  ['infra/stacks', '../../k8s/charts/order-app-chart', 'infra/ never imports k8s/'],
  ['infra/test', '../../k8s/test/chart-helpers', 'infra/ never imports k8s/'],
  ['app/test', '../../infra/config/terraform-version', 'The app knows no infrastructure'],
  ['app/test', '../../platform/environment-config', 'The app knows no infrastructure'],
  ['app/scripts', '../../k8s/synth-manifests', 'The app knows no infrastructure'],
  ['monitoring', '../infra/stacks/platform-stack', 'monitoring/ constructs'],
  ['platform', '../infra/stacks/base-stack', 'The platform model is what every layer reads'],
  ['lib', '../app/src/app-contract', 'lib/ is shared tooling'],
  ['ops', '../infra/scripts/terraform-stacks', 'ops/ runs the other areas through their npm scripts'],
  ['ops', '../pipelines/test/pipeline-model', 'ops/ runs the other areas through their npm scripts'],
  ['ops', '../app/src/config', 'ops/ may read only the app contract'],
  ['k8s', '../app/scripts/seed', "Another area's scripts/"],
  ['deploy-model', '../infra/scripts/preflight', "Another area's scripts/"],
])('%s importing %s is refused', async (dir, specifier, why) => {
  expect(await importErrors(dir, specifier)).toContainEqual(expect.stringContaining(why));
});

test.each([
  ['k8s/config', '../../platform/environment-config'],
  ['infra/stacks', '../../platform/cidr'],
  ['infra/stacks', '../../app/src/app-contract'],
  ['deploy-model/test', '../../test-helpers/synth-helpers'],
  ['infra/test', '../scripts/preflight'],
  ['k8s', '../lib/cli-args'],
  ['app/scripts', '../../lib/cli-args'],
  ['ops', '../platform/environment-config'],
  ['ops', '../app/src/app-contract'],
  ['ops/test', '../../platform/registry-config'],
])('%s importing %s is allowed', async (dir, specifier) => {
  expect(await importErrors(dir, specifier)).toEqual([]);
});

test.each(['infra/stacks', 'monitoring', 'k8s'])('the provider package root stays forbidden in %s', async (dir) => {
  expect(await importErrors(dir, '@cdktf/provider-azurerm')).toEqual([expect.stringContaining('Import each resource by deep path')]);
});
