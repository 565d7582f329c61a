import fs from 'node:fs';
import path from 'node:path';
import { Testing } from 'cdktf';
import type { EnvironmentConfig } from '../platform/environment-config';
import { NetworkStack } from '../infra/stacks/network-stack';
import { registryConfig } from '../platform/registry-config';
import { PlatformStack } from '../infra/stacks/platform-stack';
import { RegistryStack } from '../infra/stacks/registry-stack';

export type Resources = Record<string, Record<string, Record<string, unknown>>>;
export interface Synthesized {
  readonly resource: Resources;
  readonly output: Record<string, { value: string; description?: string; sensitive?: boolean }>;
  readonly data: Record<string, Record<string, unknown>>;
  readonly provider: Record<string, unknown[]>;
}

/** A fixed clock so secret expiry dates are stable in snapshots. */
export const TEST_NOW = new Date('2026-06-15T12:00:00Z');

/** Synthesizes both stacks of an environment; returns them parsed. */
export function synthEnvironment(config: EnvironmentConfig): { network: Synthesized; platform: Synthesized; registry: Synthesized } {
  const app = Testing.app();
  const registry = new RegistryStack(app, 'registry', { config: registryConfig({}) });
  const network = new NetworkStack(app, `network-${config.name}`, { config });
  const platform = new PlatformStack(app, `platform-${config.name}`, {
    config,
    networking: network.networking,
    registry: registry.containerRegistry,
    now: TEST_NOW,
  });
  // Synthesize the whole app, as `cdktf synth` does: only then are cross-stack references
  // turned into remote-state lookups (Testing.synth of one stack leaves them as direct refs).
  app.synth();
  const parsed = (stack: NetworkStack | PlatformStack | RegistryStack): Synthesized =>
    JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8')) as Synthesized;
  const result = { network: parsed(network), platform: parsed(platform), registry: parsed(registry) };
  fs.rmSync(app.outdir, { recursive: true, force: true });
  return result;
}

/** The single resource of a type (fails when there are several). */
export function only(resources: Resources, type: string): Record<string, unknown> {
  const all = Object.values(resources[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
}

export const all = (resources: Resources, type: string): Record<string, unknown>[] => Object.values(resources[type] ?? {});
