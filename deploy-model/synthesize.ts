import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { parseAllDocuments } from 'yaml';
import { environments, type EnvironmentConfig } from '../platform/environment-config';
import { registryConfig } from '../platform/registry-config';
import { NetworkStack } from '../infra/stacks/network-stack';
import { PlatformStack } from '../infra/stacks/platform-stack';
import { RegistryStack } from '../infra/stacks/registry-stack';
import { chartEnvironments } from '../k8s/config/chart-environments';
import { MANIFEST_FILE_NAME, writeManifests } from '../k8s/synth-manifests';
import type { K8sObject } from './cilium';
import type { DeployArtifacts } from './deployment';
import { TerraformModel } from './terraform-model';

/** A client id standing in for the platform stack's output when nothing is deployed. */
export const STAND_IN_CLIENT_ID = '3f2a9c10-5b7e-4d21-9a0c-6e8f1d2b4c7a';

/** Parses a multi-document manifest into its objects. */
export function parseManifest(yaml: string): K8sObject[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/**
 * Writes one environment's stacks (`<outdir>/stacks`, the whole cdktf app, so cross-stack
 * references become remote-state lookups) and manifest (`<outdir>/k8s`) as `npm run synth` and
 * `npm run synth:k8s` would with these environment variables, the platform outputs stood in.
 * Returns the environment's config.
 */
export function synthesizeFiles(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  outdir: string,
  now = new Date('2026-06-15T12:00:00Z'),
): EnvironmentConfig {
  const config = environments(env).find((e) => e.name === name);
  if (!config) throw new Error(`no environment named ${JSON.stringify(name)}`);
  const app = new App({ outdir, skipValidation: true });
  const registry = new RegistryStack(app, 'registry', { config: registryConfig(env) });
  const network = new NetworkStack(app, `network-${name}`, { config });
  new PlatformStack(app, `platform-${name}`, { config, networking: network.networking, registry: registry.containerRegistry, now });
  app.synth();
  const infraOutputs = {
    [`platform-${name}`]: { key_vault_url: `https://${config.data.keyVaultName}.vault.azure.net/`, app_identity_client_id: STAND_IN_CLIENT_ID },
  };
  writeManifests(chartEnvironments({ env, infraOutputs, only: name }), join(outdir, 'k8s'));
  return config;
}

/** Synthesizes one environment (see `synthesizeFiles`) in a temporary directory and returns what the deploy model reads. */
export function synthesizeDeployment(env: Readonly<Record<string, string | undefined>>, name: string, now?: Date): DeployArtifacts {
  const outdir = mkdtempSync(join(tmpdir(), 'deploy-model-'));
  try {
    const config = synthesizeFiles(env, name, outdir, now);
    const terraform = TerraformModel.fromDirectory(join(outdir, 'stacks'));
    return { terraform, manifests: parseManifest(readFileSync(join(outdir, 'k8s', name, MANIFEST_FILE_NAME), 'utf8')), config };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
