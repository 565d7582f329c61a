import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { AppContract } from '../../app/src/app-contract';
import { environments } from '../../platform/environment-config';
import { loginServer, registryConfig } from '../../platform/registry-config';
import { MANIFEST_FILE_NAME } from '../../k8s/synth-manifests';
import { allSteps, jobsOf, loadPipeline, PIPELINES_DIR, shellText, stepsOf } from './pipeline-model';

const ROOT = join(__dirname, '../..');
const { pipeline, stages, vars } = loadPipeline();
const stage = (name: string) => {
  const found = stages.find((s: any) => s.stage === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const steps = allSteps(stages);
const tasks = (name: string) => steps.filter((s) => s.step.task === name);
const packageScripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'test' ? [] : yamlFiles(join(dir, e.name))) : e.name.endsWith('.yml') ? [join(dir, e.name)] : [],
  );

test('every YAML file in pipelines/ parses', () => {
  const files = yamlFiles(PIPELINES_DIR);
  expect(files.map((f) => relative(PIPELINES_DIR, f)).sort()).toEqual(
    [
      'azure-pipelines.yml',
      'mutation-testing.yml',
      'templates/azure-script.yml',
      'templates/environment-stages.yml',
      'templates/infra-stages.yml',
      'templates/install-scanners.yml',
      'templates/setup-node.yml',
      'templates/setup-terraform.yml',
      'variables.yml',
    ].sort(),
  );
  for (const f of files) expect(() => parse(readFileSync(f, 'utf8'))).not.toThrow();
});

test('runs on main and validates pull requests to main', () => {
  expect(pipeline.trigger).toEqual({ branches: { include: ['main'] } });
  expect(pipeline.pr).toEqual({ branches: { include: ['main'] } });
});

test('stages run Validate, the shared registry, Image, then network, platform, deploy and verify per environment, in that order', () => {
  const infra = (name: string) => [`PR_plan_${name}`, `Plan_${name}`, `Apply_${name}`];
  const expected = ['Validate', ...infra('shared'), 'Image'];
  for (const env of ['dev', 'prod']) expected.push(...infra(`network_${env}`), ...infra(`platform_${env}`), `Deploy_${env}`, `Verify_${env}`);
  expect(stages.map((s: any) => s.stage)).toEqual(expected);
  const after = (name: string) => [stage(name).dependsOn].flat();
  expect(after('Plan_shared')).toEqual(['Validate']);
  expect(after('Image')).toEqual(['Plan_shared', 'Apply_shared']);
  expect(after('Plan_network_dev')).toEqual(['Image']);
  expect(after('Plan_platform_dev')).toEqual(['Plan_network_dev', 'Apply_network_dev']);
  expect(after('Deploy_dev')).toEqual(['Image', 'Plan_platform_dev', 'Apply_platform_dev']);
  expect(after('Verify_dev')).toEqual(['Deploy_dev']);
  expect(after('Plan_network_prod')).toEqual(['Verify_dev']);
  for (const s of stages.filter((x: any) => x.stage.startsWith('Apply_'))) expect(after(s.stage)).toEqual([s.stage.replace('Apply_', 'Plan_')]);
  for (const s of stages.filter((x: any) => x.stage.startsWith('PR_plan_'))) expect(after(s.stage)).toEqual(['Validate']);
});

test('pull requests run Validate and the speculative plans only; nothing else runs for them', () => {
  for (const s of stages.filter((x: any) => x.stage !== 'Validate')) {
    if (s.stage.startsWith('PR_plan_')) expect(s.condition).toBe("and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))");
    else expect(s.condition).toContain("ne(variables['Build.Reason'], 'PullRequest')");
  }
  expect(stage('Validate').condition).toBeUndefined();
});

test('every `npm run X` the pipeline calls exists in package.json', () => {
  const called = new Set(steps.flatMap(({ step }) => [...shellText(step).matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!)));
  expect([...called].sort()).toEqual([
    'audit:signatures',
    'check:deploy',
    'format:check',
    'grant:sql',
    'lint',
    'sbom',
    'scan:image',
    'scan:k8s-policy',
    'scan:manifests',
    'scan:terraform',
    'smoke',
    'synth',
    'synth:hcl',
    'synth:k8s',
    'test:coverage',
    'tf',
    'typecheck',
  ]);
  for (const name of called) expect({ name, defined: name in packageScripts }).toEqual({ name, defined: true });
});

describe('Validate', () => {
  const job = jobsOf(stage('Validate'))[0];
  const validateSteps = stepsOf(job);
  const scriptIndex = (text: string) => validateSteps.findIndex((s: any) => s.script === text);

  test('sets up the Node LTS the image runs (not end-of-life 20) with an npm cache keyed on package-lock.json, then npm ci', () => {
    expect(validateSteps[0]).toMatchObject({ task: 'NodeTool@0', inputs: { versionSpec: '$(nodeVersion)' } });
    const image = /ARG NODE_VERSION=(\d+)/.exec(readFileSync(join(ROOT, 'app/Dockerfile'), 'utf8'))![1];
    expect(vars.nodeVersion).toBe(`${image}.x`);
    expect(['22', '24']).toContain(image);
    expect(validateSteps[1].task).toBe('Cache@2');
    expect(validateSteps[1].inputs.key).toContain('package-lock.json');
    expect(validateSteps[1].inputs.path).toBe('$(npm_config_cache)');
    expect(validateSteps[2].script).toBe('npm ci');
  });

  test('lints, typechecks, tests with coverage, synthesizes infra and manifests, then checks the deploy model on them', () => {
    const order = [
      'npm run lint',
      'npm run typecheck',
      'npm run format:check',
      'npm run test:coverage',
      'npm run synth',
      'npm run synth:k8s',
      'npm run check:deploy',
    ].map(scriptIndex);
    expect(order.every((i) => i > 2)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('runs the SQL Server contract suite against a SQL Server service container', () => {
    expect(job.services).toEqual({ mssql: 'mssql' });
    const container = pipeline.resources.containers.find((c: any) => c.container === 'mssql');
    expect(container.image).toMatch(/^mcr\.microsoft\.com\/mssql\/server:/);
    expect(container.ports).toEqual(['1433:1433']);
    const test = validateSteps[scriptIndex('npm run test:coverage')];
    expect(test.env.MSSQL_TEST_CONNECTION_STRING).toMatch(/^Server=localhost,1433;.*Password=\$\(MSSQL_SA_PASSWORD\);Encrypt=true/);
    expect(container.env.MSSQL_SA_PASSWORD).toBe('$(MSSQL_SA_PASSWORD)');
  });

  test('publishes the JUnit file jest writes and the coverage jest writes, even when tests fail', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.config.js is CommonJS
    const jest = require(join(ROOT, 'jest.config.js')) as {
      reporters: [string, { outputDirectory: string; outputName: string }][];
      coverageDirectory: string;
      coverageReporters: string[];
    };
    const junit = jest.reporters.find((r) => r[0] === 'jest-junit')![1];
    const results = validateSteps.find((s: any) => s.task === 'PublishTestResults@2');
    expect(results).toMatchObject({ condition: 'succeededOrFailed()', inputs: { testResultsFormat: 'JUnit', testResultsFiles: '$(junitFile)' } });
    expect(vars.junitFile).toBe(`${junit.outputDirectory}/${junit.outputName}`);
    const coverage = validateSteps.find((s: any) => s.task === 'PublishCodeCoverageResults@2');
    expect(coverage).toMatchObject({ condition: 'succeededOrFailed()', inputs: { summaryFileLocation: '$(coverageFile)' } });
    expect(jest.coverageReporters).toContain('cobertura');
    expect(vars.coverageFile).toBe(`${jest.coverageDirectory}/cobertura-coverage.xml`);
  });

  test('publishes the synthesized stacks and manifests from where the synths write them', () => {
    const cdktf = JSON.parse(readFileSync(join(ROOT, 'cdktf.json'), 'utf8')) as { output: string };
    const cdk8s = parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')) as { output: string };
    expect(validateSteps.filter((s: any) => s.publish).map((s: any) => [s.publish, s.artifact])).toEqual([
      [cdktf.output, 'cdktf-out'],
      [cdk8s.output, 'k8s-manifests'],
      ['$(hclDir)', 'terraform-hcl'],
    ]);
    expect(vars.stacksDir).toBe(`${cdktf.output}/stacks`);
  });
});

describe('Image', () => {
  const imageSteps = stepsOf(jobsOf(stage('Image'))[0]);
  const build = imageSteps.find((s: any) => s.task === 'AzureCLI@2');

  test(
    'builds app/Dockerfile in the registry with ACR Tasks through the Azure service connection ' +
      '(no registry connection to create first, no Docker engine)',
    () => {
      expect(shellText(build)).toContain('az acr build --registry $(registryName) --image $(imageRepository):$(imageTag) --file $(dockerfile) .');
      expect(build.inputs.azureSubscription).toBe(vars.azureServiceConnection);
      expect(existsSync(join(ROOT, vars.dockerfile!))).toBe(true);
      expect(vars.dockerfile).toBe('app/Dockerfile');
      expect(tasks('Docker@2')).toEqual([]);
    },
  );

  test('tags the image with the build id and the commit, never a fixed tag', () => {
    expect(vars.imageTag).toBe('$(Build.BuildId)-$(Build.SourceVersion)');
  });

  test('pushes to the registry the registry stack creates, as the repository the manifests use', () => {
    const config = registryConfig({ GLOBAL_NAME_PREFIX: vars.GLOBAL_NAME_PREFIX });
    expect(vars.registryName).toBe(config.name);
    expect(vars.registryLoginServer).toBe(loginServer(config));
    expect(vars.imageRepository).toBe(AppContract.appName);
  });
});

const INFRA = [
  { name: 'shared', environment: 'shared', tfArgs: '--env shared', pool: { vmImage: '$(hostedImage)' } },
  ...['dev', 'prod'].flatMap((env) => [
    { name: `network_${env}`, environment: env, tfArgs: `--env ${env} --stack network`, pool: { vmImage: '$(hostedImage)' } },
    { name: `platform_${env}`, environment: env, tfArgs: `--env ${env} --stack platform`, pool: { name: `$(deployPoolPrefix)-${env}` } },
  ]),
];

describe.each(INFRA)('infra ($name)', ({ name, environment, tfArgs, pool }) => {
  const plan = stage(`Plan_${name}`);
  const apply = stage(`Apply_${name}`);
  const planJob = jobsOf(plan)[0];
  const planSteps = stepsOf(planJob);
  const applyJob = jobsOf(apply)[0];
  const applySteps = stepsOf(applyJob);

  test('plans the stacks Validate synthesized and publishes only the reviewable plan', () => {
    expect(planSteps.find((s: any) => s.download)).toEqual({ download: 'current', artifact: 'cdktf-out' });
    expect(shellText(planSteps.find((s: any) => s.task === 'AzureCLI@2'))).toContain(
      `npm run tf -- plan ${tfArgs} --stacks-dir $(Pipeline.Workspace)/cdktf-out/stacks`,
    );
    expect(planSteps.find((s: any) => s.publish)).toMatchObject({ publish: '$(Pipeline.Workspace)/cdktf-out', artifact: `infra-plan-${name}` });
  });

  test('applies in a deployment job whose environment carries the approval, only if a fresh plan equals the reviewed one', () => {
    expect(applyJob.deployment).toBe('Apply');
    expect(applyJob.environment).toBe(`order-platform-${environment}`);
    expect(applySteps.find((s: any) => s.download)).toEqual({ download: 'current', artifact: `infra-plan-${name}` });
    const dir = `$(Pipeline.Workspace)/infra-plan-${name}/stacks`;
    expect(shellText(applySteps.find((s: any) => s.task === 'AzureCLI@2'))).toContain(
      `npm run tf -- apply ${tfArgs} --stacks-dir ${dir} --reviewed ${dir}`,
    );
  });

  test("runs where its stacks can be reached: hosted agents for Resource Manager only, the environment's deploy pool for private endpoints", () => {
    expect(planJob.pool).toEqual(pool);
    expect(applyJob.pool).toEqual(pool);
  });

  test('installs the pinned Terraform before any terraform runs', () => {
    for (const steps of [planSteps, applySteps]) {
      const install = steps.findIndex((s: any) => s.task === 'TerraformInstaller@1');
      expect(install).toBeGreaterThanOrEqual(0);
      expect(steps[install].inputs.terraformVersion).toBe('$(terraformVersion)');
      expect(install).toBeLessThan(steps.findIndex((s: any) => s.task === 'AzureCLI@2'));
    }
  });

  test('signs in to Azure through the workload-identity service connection with a refreshing token, with no secret', () => {
    for (const s of [...planSteps, ...applySteps].filter((x: any) => x.task === 'AzureCLI@2')) {
      expect(s.inputs).toMatchObject({ azureSubscription: vars.azureServiceConnection, addSpnToEnvironment: true });
      expect(s.env.SYSTEM_ACCESSTOKEN).toBe('$(System.AccessToken)');
      expect(shellText(s)).not.toMatch(/servicePrincipalKey|client_secret|ARM_CLIENT_SECRET|ARM_OIDC_TOKEN|idToken/);
    }
  });
});

test('the Terraform the pipeline installs is the one the repo pins', () => {
  expect(vars.terraformVersion).toBe(readFileSync(join(ROOT, '.terraform-version'), 'utf8').trim());
});

test("the app identity's database user is granted after each platform apply, from its outputs, and nowhere else", () => {
  const granting = INFRA.filter(({ name }) =>
    stepsOf(jobsOf(stage(`Apply_${name}`))[0]).some((s: any) => shellText(s).includes('npm run grant:sql')),
  );
  expect(granting.map((i) => i.name)).toEqual(['platform_dev', 'platform_prod']);
  for (const env of ['dev', 'prod']) {
    const text = stepsOf(jobsOf(stage(`Apply_platform_${env}`))[0])
      .map(shellText)
      .join('\n');
    expect(text).toContain(`npm run grant:sql -- --env ${env} --infra-outputs $(Pipeline.Workspace)/infra-outputs/outputs.json`);
  }
});

describe.each(['dev', 'prod'])('deploy and verify (%s)', (env) => {
  const infra = environments({}).find((e) => e.name === env)!;
  const deployJob = jobsOf(stage(`Deploy_${env}`))[0];
  const deploySteps = stepsOf(deployJob);
  const manifestTask = deploySteps.find((s: any) => s.task === 'KubernetesManifest@1');

  test("synthesizes the manifest with the platform's outputs, read from its state, and this run's image by digest", () => {
    expect(deploySteps.find((s: any) => s.download)).toEqual({ download: 'current', artifact: 'cdktf-out' });
    const outputs = shellText(deploySteps.find((s: any) => shellText(s).includes('npm run tf -- outputs')));
    expect(outputs).toContain(
      `npm run tf -- outputs --env ${env} --stack platform --stacks-dir $(Pipeline.Workspace)/cdktf-out/stacks ` +
        '--outputs-file $(Pipeline.Workspace)/infra-outputs/outputs.json',
    );
    const synth = deploySteps.find((s: any) => typeof s.script === 'string' && s.script.startsWith('npm run synth:k8s'));
    expect(synth.script).toBe(
      `npm run synth:k8s -- --env ${env} --infra-outputs $(Pipeline.Workspace)/infra-outputs/outputs.json --deploy-image $(imageRef)`,
    );
    expect(deployJob.pool).toEqual({ name: `$(deployPoolPrefix)-${env}` });
  });

  test('deploys application-manifest.yaml with KubernetesManifest@1 as synthesized (no tag substitution), rollout awaited, after kubelogin', () => {
    expect(deployJob).toMatchObject({ deployment: 'Deploy', environment: `order-platform-${env}` });
    expect(manifestTask.inputs).toEqual({
      action: 'deploy',
      connectionType: 'azureResourceManager',
      azureSubscriptionConnection: vars.azureServiceConnection,
      azureResourceGroup: infra.networking.resourceGroupName,
      kubernetesCluster: infra.cluster.name,
      useClusterAdmin: false,
      namespace: AppContract.kubernetes.namespace,
      manifests: `dist/k8s/${env}/$(manifestFile)`,
      rolloutStatusTimeout: '600',
    });
    expect(vars.manifestFile).toBe(MANIFEST_FILE_NAME);
    expect(deploySteps.findIndex((s: any) => s.task === 'KubeloginInstaller@0')).toBeLessThan(deploySteps.indexOf(manifestTask));
  });

  test('smoke-tests the deployed Service through the cluster', () => {
    const verify = stepsOf(jobsOf(stage(`Verify_${env}`))[0]);
    const text = shellText(verify.find((s: any) => s.task === 'AzureCLI@2'));
    expect(text).toContain(`az aks get-credentials --resource-group ${infra.networking.resourceGroupName} --name ${infra.cluster.name}`);
    expect(text).toContain('kubelogin convert-kubeconfig -l azurecli');
    expect(text).toContain(`npm run smoke -- --port-forward ${AppContract.kubernetes.namespace}/${AppContract.appName}`);
  });
});

test('service connection names and settings are declared once, in variables.yml', () => {
  const main = readFileSync(join(PIPELINES_DIR, 'azure-pipelines.yml'), 'utf8');
  const templates = yamlFiles(join(PIPELINES_DIR, 'templates'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  for (const name of [vars.azureServiceConnection!, vars.registryLoginServer!]) {
    expect(main + templates).not.toContain(name);
  }
});

test('no secret literal anywhere in the pipeline', () => {
  const text = yamlFiles(PIPELINES_DIR)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  expect(text).not.toMatch(/-----BEGIN|AccountKey=|SharedAccessSignature|client_secret|ARM_CLIENT_SECRET|servicePrincipalKey/i);
  // Cache@2's `key` and `restoreKeys` name cache entries, not credentials.
  const NOT_CREDENTIALS = new Set(['key', 'restoreKeys']);
  const withoutComments = text.replace(/(^|\s)#.*$/gm, '$1');
  const settings = [...withoutComments.matchAll(/\b(\w*(?:password|secret|token|key)\w*)\s*[:=]\s*([^\s;]+)/gi)].filter(
    (m) => !NOT_CREDENTIALS.has(m[1]!),
  );
  expect(settings.length).toBeGreaterThanOrEqual(2);
  for (const m of settings) {
    const value = m[2]!.replace(/^['"]|['"]$/g, '');
    expect({ setting: m[0], isVariableReference: value.startsWith('$(') }).toEqual({ setting: m[0], isVariableReference: true });
  }
  expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
});

test.each(['dev', 'prod'])("the smoke test (%s) runs on the environment's deploy pool, whose NAT address the API server admits", (env) => {
  expect(jobsOf(stage(`Verify_${env}`))[0].pool).toEqual({ name: `$(deployPoolPrefix)-${env}` });
});
