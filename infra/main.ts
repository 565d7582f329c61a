/**
 * The only place that creates the CDKTF App: one set of stacks per environment.
 *   npm run synth        (or npx cdktf synth) -> cdktf.out/
 *   npx cdktf deploy registry network-dev platform-dev
 */
import { STACK_NAMES } from '../platform/stack-names';
import { App } from 'cdktf';
import { environments, InfraConfigError, unsetDeploySettings } from '../platform/environment-config';
import { registryConfig } from '../platform/registry-config';
import { stateBackendFromEnv } from './stacks/base-stack';
import { NetworkStack } from './stacks/network-stack';
import { PlatformStack } from './stacks/platform-stack';
import { RegistryStack } from './stacks/registry-stack';

try {
  const app = new App();
  const backend = stateBackendFromEnv();
  const registry = new RegistryStack(app, STACK_NAMES.registry, { config: registryConfig(), backend });
  const configs = environments();
  for (const config of configs) {
    const network = new NetworkStack(app, STACK_NAMES.network(config.name), { config, backend });
    new PlatformStack(app, STACK_NAMES.platform(config.name), {
      config,
      backend,
      networking: network.networking,
      registry: registry.containerRegistry,
    });
  }
  app.synth();
  process.stderr.write(`synthesized registry, ${configs.map((c) => `network-${c.name}, platform-${c.name}`).join(', ')} into ${app.outdir}/stacks\n`);
  const unset = unsetDeploySettings(configs[0]!);
  if (unset.length > 0)
    process.stderr.write(`note: ${unset.join(', ')} not set: fine for synth and tests; npm run tf refuses to deploy these stacks.\n`);
} catch (err) {
  if (!(err instanceof InfraConfigError) && !(err instanceof Error && /^Remote state needs/.test(err.message))) throw err;
  process.stderr.write(`synth: ${err.message}\n`);
  process.exit(78);
}
