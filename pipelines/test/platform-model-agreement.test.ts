import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { environments } from '../../platform/environment-config';
import { PLATFORM_MODEL } from '../../platform/platform-model';
import { loginServer, registryConfig } from '../../platform/registry-config';
import { loadPipeline, MAIN_PIPELINE, PIPELINES_DIR, yamlVariables } from './pipeline-model';

const ENVIRONMENT_TEMPLATE = 'templates/environment-stages.yml';
const raw = parse(readFileSync(MAIN_PIPELINE, 'utf8')) as { stages: { template?: string; parameters?: Record<string, unknown> }[] };
const resolved = environments({});

test(
  "the pipeline deploys the model's environments in the model's order, " + "each after the one before, with the model's resource group and cluster",
  () => {
    const given = raw.stages.filter((s) => s.template === ENVIRONMENT_TEMPLATE).map((s) => s.parameters);
    const expected = resolved.map((e, i) => ({
      environment: e.name,
      dependsOn: i === 0 ? 'Image' : `Verify_${resolved[i - 1]!.name}`,
      resourceGroup: e.networking.resourceGroupName,
      cluster: e.cluster.name,
    }));
    expect(given).toEqual(expected);
  },
);

test('the compiled stage list is Validate, the shared registry, Image, then eight stages per model environment', () => {
  const infra = (name: string) => [`PR_plan_${name}`, `Plan_${name}`, `Apply_${name}`];
  const perEnvironment = (name: string) => [...infra(`network_${name}`), ...infra(`platform_${name}`), `Deploy_${name}`, `Verify_${name}`];
  const expected = ['Validate', ...infra('shared'), 'Image', ...PLATFORM_MODEL.environments.flatMap((e) => perEnvironment(e.name))];
  expect(loadPipeline().stages.map((s: any) => s.stage)).toEqual(expected);
});

test('the environment template takes exactly the parameters the model fills in', () => {
  const template = parse(readFileSync(join(PIPELINES_DIR, ENVIRONMENT_TEMPLATE), 'utf8')) as { parameters: { name: string }[] };
  expect(template.parameters.map((p) => p.name).sort()).toEqual(['cluster', 'dependsOn', 'environment', 'resourceGroup']);
});

test("the registry in variables.yml is the model's registry for the pipeline's GLOBAL_NAME_PREFIX", () => {
  const vars = yamlVariables();
  const registry = registryConfig({ GLOBAL_NAME_PREFIX: vars.GLOBAL_NAME_PREFIX });
  expect({ registryName: vars.registryName, registryLoginServer: vars.registryLoginServer }).toEqual({
    registryName: registry.name,
    registryLoginServer: loginServer(registry),
  });
});
