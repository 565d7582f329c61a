/**
 * The only entry of k8s/: synthesizes each environment's manifest.
 *   npm run synth:k8s                                   -> dist/k8s/{dev,prod}/application-manifest.yaml
 *   npm run synth:k8s -- --env prod --infra-outputs outputs.json --image myacr.azurecr.io/order-app:123-abc
 *   npm run synth:k8s -- --env prod --infra-outputs outputs.json --deploy-image myacr.azurecr.io/order-app@sha256:<digest>   (the pipeline)
 *   npx cdk8s synth                                     (same, through cdk8s.yaml)
 */
import { readFileSync } from 'node:fs';
import { parseArgs, usage } from '../lib/cli-args';
import { K8sConfigError } from './config/chart-config';
import { chartEnvironments, PLACEHOLDER_CLIENT_ID } from './config/chart-environments';
import { writeManifests } from './synth-manifests';

const FLAGS = {
  env: 'one environment to synthesize (dev or prod); all by default',
  image: 'registry/name:tag for every environment; default $APP_IMAGE or <prefix>acr.azurecr.io/order-app:0.1.0',
  'deploy-image': 'the image a deploy runs, pinned by digest (registry/name@sha256:<digest>); a tag-only reference is refused',
  'infra-outputs':
    'the outputs JSON of `npm run tf -- outputs --env <env>` (or `npx cdktf output --outputs-file <file>`): Key Vault URL and app identity client id',
  outdir: 'output directory; default $CDK8S_OUTDIR or dist/k8s',
};

function main(): void {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    process.stdout.write(usage('npm run synth:k8s -- [options]', FLAGS));
    return;
  }
  let infraOutputs: unknown;
  if (args['infra-outputs'] !== undefined) {
    const file = args['infra-outputs'];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new K8sConfigError(`--infra-outputs: cannot read ${JSON.stringify(file)}.`);
    }
    try {
      infraOutputs = JSON.parse(text);
    } catch {
      throw new K8sConfigError(`--infra-outputs: ${JSON.stringify(file)} is not JSON (expected the file cdktf output --outputs-file writes).`);
    }
  }
  if (args.image !== undefined && args['deploy-image'] !== undefined) throw new K8sConfigError('Give --image or --deploy-image, not both.');
  const image = args['deploy-image'] ?? args.image;
  const env = image !== undefined ? { ...process.env, APP_IMAGE: image } : process.env;
  const configs = chartEnvironments({ env, infraOutputs, only: args.env, requireImageDigest: args['deploy-image'] !== undefined });
  const paths = writeManifests(configs, args.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist/k8s');
  for (const path of paths) process.stdout.write(`wrote ${path}\n`);
  if (configs.some((c) => c.appIdentityClientId === PLACEHOLDER_CLIENT_ID)) {
    process.stderr.write(
      'warning: no --infra-outputs given, so the ServiceAccount carries a placeholder client id and the pods cannot reach Key Vault. ' +
        'For a deploy, pass the platform stack outputs (npm run tf -- outputs --env <env>, then --infra-outputs cdktf.out/outputs-<env>.json).\n',
    );
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`synth:k8s: ${(err as Error).message}\n`);
  process.exit(err instanceof K8sConfigError ? 78 : 1);
}
