import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AppContract } from '../../app/src/app-contract';
import { allSteps, jobsOf, loadPipeline, PIPELINES_DIR, shellText, stepsOf } from './pipeline-model';

const ROOT = join(__dirname, '../..');
const { stages, vars } = loadPipeline();
const stage = (name: string) => {
  const found = stages.find((s: any) => s.stage === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
const scripts = pkg.scripts;
const validateSteps = stepsOf(jobsOf(stage('Validate'))[0]);
const runs = (command: string) => validateSteps.findIndex((s: any) => shellText(s).split('\n').includes(command));
const { namespace } = AppContract.kubernetes;
const deployment = `deployment/${AppContract.appName}`;
const ENVIRONMENTS = stages.filter((s: any) => s.stage.startsWith('Deploy_')).map((s: any) => s.stage.replace('Deploy_', '') as string);
const INFRA_SETS = stages.filter((s: any) => s.stage.startsWith('Apply_')).map((s: any) => s.stage.replace('Apply_', '') as string);

describe('Validate runs the real scanners, each blocking on a finding', () => {
  const SCANNERS = [
    { script: 'audit:signatures', after: 'npm ci', tool: /^npm audit signatures$/ },
    { script: 'scan:terraform', after: 'npm run synth', tool: /^checkov --config-file \.checkov\.yaml$/ },
    { script: 'scan:manifests', after: 'npm run synth:k8s', tool: /^kubeconform -strict -summary -schema-location default dist\/k8s$/ },
    {
      script: 'scan:k8s-policy',
      after: 'npm run synth:k8s',
      tool: /^trivy config --exit-code 1 --severity MEDIUM,HIGH,CRITICAL --ignorefile \.trivyignore dist\/k8s$/,
    },
  ];

  test.each(SCANNERS)('npm run $script runs after `$after`, unconditionally and not allowed to fail', ({ script, after, tool }) => {
    const at = runs(`npm run ${script}`);
    expect(at).toBeGreaterThan(runs(after));
    expect(validateSteps[at].condition).toBeUndefined();
    expect(validateSteps[at].continueOnError).toBeUndefined();
    expect(scripts[script]).toMatch(tool);
  });

  test('terraform validate runs on every synthesized stack, with the pinned Terraform, on a copy that is not published', () => {
    const at = validateSteps.findIndex((s: any) => shellText(s).includes('npm run tf -- validate'));
    expect(shellText(validateSteps[at])).toBe(
      'cp -r $(stacksDir) $(Agent.TempDirectory)/validate-stacks\nnpm run tf -- validate --stacks-dir $(Agent.TempDirectory)/validate-stacks\n',
    );
    expect(at).toBeGreaterThan(runs('npm run synth'));
    expect(at).toBeGreaterThan(validateSteps.findIndex((s: any) => s.task === 'TerraformInstaller@1'));
    expect(validateSteps[at].continueOnError).toBeUndefined();
  });

  test('the scanners are installed by the pipeline at pinned versions before any of them runs', () => {
    const install = validateSteps.findIndex((s: any) => s.displayName === 'Scanner folder on PATH');
    expect(install).toBeGreaterThan(-1);
    for (const tool of ['Checkov', 'kubeconform', 'trivy'])
      expect(validateSteps.some((s: any) => typeof s.displayName === 'string' && s.displayName.startsWith(`${tool} $(`))).toBe(true);
    for (const script of ['scan:terraform', 'scan:manifests', 'scan:k8s-policy']) expect(runs(`npm run ${script}`)).toBeGreaterThan(install);
    for (const name of ['checkovVersion', 'kubeconformVersion', 'trivyVersion', 'terraformVersion']) expect(vars[name]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('every downloaded scanner is checked against its vendor checksum file before it is unpacked', () => {
    const template = parse(read('pipelines/templates/install-scanners.yml')) as { steps: any[] };
    const downloads = template.steps
      .flatMap((s) => (s && typeof s === 'object' && !('script' in s) ? (Object.values(s)[0] as any[]) : [s]))
      .filter((s: any) => typeof s?.script === 'string' && s.script.includes('curl'));
    expect(downloads).toHaveLength(2);
    for (const step of downloads) {
      const lines: string[] = step.script.split('\n');
      const check = lines.findIndex((l) => l.includes('sha256sum --check --strict'));
      const unpack = lines.findIndex((l) => l.startsWith('tar '));
      expect(check).toBeGreaterThan(lines.findIndex((l) => /curl .*(CHECKSUMS|checksums\.txt)/.test(l)));
      expect(check).toBeLessThan(unpack);
      expect(step.script).toMatch(/releases\/download\/v\$\((kubeconformVersion|trivyVersion)\)/);
    }
    const checkov = template.steps.flatMap((s) => Object.values(s ?? {}).flat()).find((s: any) => /pip" install/.test(s?.script ?? '')) as any;
    expect(checkov.script).toContain('"checkov==$(checkovVersion)"');
  });

  test('every Checkov skip carries its reason, and the skips are exactly the Azure exceptions in docs/policy-exceptions.md', () => {
    const text = read('.checkov.yaml');
    const config = parse(text) as { framework: string[]; directory: string[]; 'soft-fail': boolean; 'skip-check': string[] };
    const cdktf = JSON.parse(read('cdktf.json')) as { output: string };
    expect(config.framework).toEqual(['terraform_json']);
    expect(config.directory).toEqual([`${cdktf.output}/stacks`]);
    expect(config['soft-fail']).toBe(false);
    const lines = text.split('\n');
    const skips = config['skip-check'];
    for (const id of skips) {
      const reason = lines[lines.indexOf(`  - ${id}`) - 1] ?? '';
      expect({ id, reason: /^ {2}# .{20,}/.test(reason) }).toEqual({ id, reason: true });
    }
    const azure = read('docs/policy-exceptions.md').split('## Kubernetes')[0]!;
    const documented = [...azure.matchAll(/^\| (CKV2?_AZURE_\d+)/gm)].map((m) => m[1]);
    expect([...skips].sort()).toEqual(documented.sort());
  });

  test('every id in .trivyignore has a reason above it and is listed in docs/policy-exceptions.md', () => {
    const lines = read('.trivyignore').split('\n');
    const docs = read('docs/policy-exceptions.md');
    lines.forEach((line, i) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      expect({ id: line, reason: lines[i - 1]?.startsWith('# ') ?? false, documented: docs.includes(line.trim()) }).toEqual({
        id: line,
        reason: true,
        documented: true,
      });
    });
  });

  test('the stacks are written as plain Terraform (cdktf synth --hcl) and published, the way out of CDKTF', () => {
    expect(scripts['synth:hcl']).toBe(`cdktf synth --hcl --output ${vars.hclDir}`);
    expect(runs('npm run synth:hcl')).toBeGreaterThan(runs('npm ci'));
    expect(validateSteps.find((s: any) => s.artifact === 'terraform-hcl').publish).toBe('$(hclDir)');
  });
});

describe('Image: built once, deployed by digest, scanned, with an SBOM', () => {
  const imageSteps = stepsOf(jobsOf(stage('Image'))[0]);
  const push = imageSteps.find((s: any) => s.name === 'push');
  const pushAt = imageSteps.indexOf(push);

  test("exports the digest the registry reports for this build's tag as registry/name@sha256:... (output variable imageRef)", () => {
    const text = shellText(push);
    expect(text).toContain('az acr build --registry $(registryName) --image $(imageRepository):$(imageTag) --file $(dockerfile) .');
    expect(text).toContain(
      'digest=$(az acr repository show --name $(registryName) --image $(imageRepository):$(imageTag) --query digest --output tsv)',
    );
    expect(text).toContain('[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]');
    expect(text).toContain('##vso[task.setvariable variable=imageRef;isOutput=true]$(registryLoginServer)/$(imageRepository)@$digest');
  });

  test('scans the pushed digest with trivy, failing on HIGH or CRITICAL, with the documented ignore file', () => {
    const scan = imageSteps.findIndex((s: any) => shellText(s).includes('npm run scan:image -- $(push.imageRef)'));
    expect(scan).toBeGreaterThan(pushAt);
    expect(imageSteps[scan].condition).toBeUndefined();
    expect(scripts['scan:image']).toBe('trivy image --exit-code 1 --severity HIGH,CRITICAL --ignorefile .trivyignore');
    expect(imageSteps.findIndex((s: any) => s.displayName?.startsWith('trivy $('))).toBeLessThan(scan);
  });

  test('writes a CycloneDX SBOM of the pushed digest and publishes it, also when the scan fails', () => {
    const sbom = imageSteps.findIndex((s: any) => shellText(s).includes('npm run sbom -- $(push.imageRef)'));
    expect(sbom).toBeGreaterThan(pushAt);
    expect(scripts.sbom).toBe(`mkdir -p dist/sbom && trivy image --format cyclonedx --output ${vars.sbomFile}`);
    expect(imageSteps.find((s: any) => s.artifact === 'sbom')).toMatchObject({ publish: '$(sbomFile)', condition: 'succeededOrFailed()' });
  });

  test.each(ENVIRONMENTS)('Deploy_%s takes the digest from Image and never deploys by tag', (env) => {
    const job = jobsOf(stage(`Deploy_${env}`))[0];
    expect(job.variables).toEqual({ imageRef: "$[ stageDependencies.Image.Image.outputs['push.imageRef'] ]" });
    const steps = stepsOf(job);
    expect(steps.map(shellText).join('\n')).toContain('--deploy-image $(imageRef)');
    const everything = JSON.stringify(steps);
    expect(everything).not.toContain('$(imageTag)');
    expect(everything).not.toMatch(/--image /);
    expect(steps.find((s: any) => s.task === 'KubernetesManifest@1').inputs.containers).toBeUndefined();
  });
});

describe.each(INFRA_SETS)('stack set %s', (name) => {
  const plan = stage(`Plan_${name}`);
  const planJob = jobsOf(plan)[0];
  const planStep = stepsOf(planJob).find((s: any) => s.name === 'plan');

  test('a pull request gets a speculative plan of it, its summary published on the run and commented on the pull request', () => {
    const pr = stage(`PR_plan_${name}`);
    const job = jobsOf(pr)[0];
    const steps = stepsOf(job);
    const text = steps.map(shellText).join('\n');
    const tfArgs = /npm run tf -- plan (.*?) --stacks-dir/.exec(shellText(planStep))![1];
    expect(text).toContain(`npm run tf -- plan ${tfArgs} --stacks-dir $(Pipeline.Workspace)/cdktf-out/stacks`);
    expect(text).toContain(`--summary-markdown $(Build.ArtifactStagingDirectory)/plan-${name}.md`);
    expect(text).toContain(`##vso[task.uploadsummary]$(Build.ArtifactStagingDirectory)/plan-${name}.md`);
    const comment = steps.find((s: any) => shellText(s).includes('/pullRequests/$(System.PullRequest.PullRequestId)/threads'));
    expect(comment.condition).toBe("and(succeeded(), eq(variables['Build.Repository.Provider'], 'TfsGit'))");
    expect(text).not.toMatch(/npm run tf -- apply|grant:sql/);
    expect(job.pool).toEqual(planJob.pool);
  });

  test("the plan exports Terraform's -detailed-exitcode as an output variable", () => {
    const text = shellText(planStep);
    expect(text).toContain('--changes-file $(Agent.TempDirectory)/detailed-exitcode');
    expect(text).toContain('##vso[task.setvariable variable=detailedExitCode;isOutput=true]$code');
  });

  test('its Apply (and the approval on its environment) runs only when the plan has changes (exit code 2)', () => {
    expect(stage(`Apply_${name}`).condition).toBe(
      "and(succeeded(), ne(variables['Build.Reason'], 'PullRequest'), " +
        `eq(dependencies.Plan_${name}.outputs['${planJob.job}.${planStep.name}.detailedExitCode'], '2'))`,
    );
  });
});

test('every stage after an Apply also runs when that Apply was skipped for no changes, but only after its plan succeeded', () => {
  const after = stages.filter((s: any) => [s.dependsOn ?? []].flat().some((d: string) => d.startsWith('Apply_')));
  expect(after.map((s: any) => s.stage)).toEqual(['Image', ...ENVIRONMENTS.flatMap((e: string) => [`Plan_platform_${e}`, `Deploy_${e}`])]);
  for (const s of after) {
    const condition = (s.condition as string).replace(/\s+/g, ' ');
    for (const apply of [s.dependsOn].flat().filter((d: string) => d.startsWith('Apply_'))) {
      const plan = apply.replace('Apply_', 'Plan_');
      expect(s.dependsOn).toContain(plan);
      expect(condition).toContain(`eq(dependencies.${plan}.result, 'Succeeded')`);
      expect(condition).toContain(`in(dependencies.${apply}.result, 'Succeeded', 'Skipped')`);
    }
    expect(condition).not.toContain('succeeded()');
    expect(condition).toContain("ne(variables['Build.Reason'], 'PullRequest')");
  }
});

describe.each(ENVIRONMENTS)('rollback (%s)', (env) => {
  const deploySteps = stepsOf(jobsOf(stage(`Deploy_${env}`))[0]);
  const verify = jobsOf(stage(`Verify_${env}`))[0];
  const verifySteps = stepsOf(verify);

  test('Deploy records the revision running before it deploys, as an output variable', () => {
    const before = deploySteps.findIndex((s: any) => s.name === 'before');
    expect(before).toBeLessThan(deploySteps.findIndex((s: any) => s.task === 'KubernetesManifest@1'));
    const text = shellText(deploySteps[before]);
    expect(text).toContain(`kubectl get ${deployment} --namespace ${namespace} --ignore-not-found`);
    expect(text).toContain('##vso[task.setvariable variable=revision;isOutput=true]$revision');
  });

  test('when the smoke test fails, Verify rolls back to that revision, waits for it, and says so in the run', () => {
    expect(verify.variables).toEqual({
      previousRevision: `$[ stageDependencies.Deploy_${env}.Deploy.outputs['Deploy.before.revision'] ]`,
    });
    const smoke = verifySteps.findIndex((s: any) => shellText(s).includes('npm run smoke'));
    const rollback = verifySteps.findIndex((s: any) => s.name === 'rollback');
    expect(rollback).toBeGreaterThan(smoke);
    expect(verifySteps[rollback].condition).toBe('failed()');
    const text = shellText(verifySteps[rollback]);
    expect(text).toContain('previous="$(previousRevision)"');
    expect(text).toContain(`kubectl rollout undo ${deployment} --namespace ${namespace} --to-revision="$previous"`);
    expect(text).toContain(`kubectl rollout status ${deployment} --namespace ${namespace} --timeout=600s`);
    expect(text).toContain('##vso[task.logissue type=error]Verify failed');
    expect(text).toContain(`##vso[build.addbuildtag]rolled-back-${env}`);
  });
});

describe('pins', () => {
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version: string; devDependencies?: Record<string, string> }> };
  const cdktfPackages = Object.keys(pkg.devDependencies).filter((n) => n === 'cdktf' || n === 'cdktf-cli' || n.startsWith('@cdktf/'));

  test('cdktf, cdktf-cli and every @cdktf/provider-* are exact versions, the same in the lockfile', () => {
    expect(cdktfPackages).toEqual(expect.arrayContaining(['cdktf', 'cdktf-cli', '@cdktf/provider-azurerm']));
    for (const name of cdktfPackages) {
      expect({ name, range: pkg.devDependencies[name] }).toEqual({ name, range: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
      expect(lock.packages[`node_modules/${name}`]!.version).toBe(pkg.devDependencies[name]);
      expect(lock.packages['']!.devDependencies![name]).toBe(pkg.devDependencies[name]);
    }
    expect(pkg.devDependencies['cdktf-cli']).toBe(pkg.devDependencies.cdktf);
  });

  test('Renovate proposes updates for the cdktf set, Terraform and every scanner version in variables.yml', () => {
    const renovate = JSON.parse(read('renovate.json')) as {
      packageRules: { matchPackageNames?: string[]; matchDepNames?: string[]; enabled?: boolean; groupName?: string }[];
      customManagers: { managerFilePatterns: string[]; matchStrings: string[] }[];
    };
    const cdktf = renovate.packageRules.find((r) => r.groupName === 'cdktf')!;
    expect(cdktf.matchPackageNames).toEqual(expect.arrayContaining(['cdktf', 'cdktf-cli', '@cdktf/**']));
    expect(cdktf.enabled).toBeUndefined();
    const text = readFileSync(join(PIPELINES_DIR, 'variables.yml'), 'utf8');
    const manager = renovate.customManagers.find((m) => m.managerFilePatterns.includes('/^pipelines/variables\\.yml$/'))!;
    const found = [...text.matchAll(new RegExp(manager.matchStrings[0]!, 'g'))].map((m) => [m.groups!.depName, m.groups!.currentValue]);
    expect(found).toEqual([
      ['hashicorp/terraform', vars.terraformVersion],
      ['checkov', vars.checkovVersion],
      ['yannh/kubeconform', vars.kubeconformVersion],
      ['aquasecurity/trivy', vars.trivyVersion],
    ]);
  });
});

test('the whole pipeline runs no scanner or deploy step with continueOnError', () => {
  expect(allSteps(stages).filter(({ step }) => step.continueOnError !== undefined)).toEqual([]);
});
