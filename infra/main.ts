/**
 * The only place that creates the CDKTF App: one set of stacks per environment.
 *   npm run synth        (or npx cdktf synth) -> cdktf.out/
 *   npx cdktf deploy registry network-dev platform-dev
 */
import { App } from 'cdktf';
import { environments } from './config/environment-config';
import { registryConfig } from './config/registry-config';
import { stateBackendFromEnv } from './stacks/base-stack';
import { NetworkStack } from './stacks/network-stack';
import { PlatformStack } from './stacks/platform-stack';
import { RegistryStack } from './stacks/registry-stack';

const app = new App();
const backend = stateBackendFromEnv();
const registry = new RegistryStack(app, 'registry', { config: registryConfig(), backend });
for (const config of environments()) {
  const network = new NetworkStack(app, `network-${config.name}`, { config, backend });
  new PlatformStack(app, `platform-${config.name}`, { config, backend, networking: network.networking, registry: registry.containerRegistry });
}
app.synth();
