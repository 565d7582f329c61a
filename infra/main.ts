/**
 * The only place that creates the CDKTF App: one set of stacks per environment.
 *   npm run synth        (or npx cdktf synth) -> cdktf.out/
 *   npx cdktf deploy network-dev
 */
import { App } from 'cdktf';
import { environments } from './config/environment-config';
import { NetworkStack, stateBackendFromEnv } from './stacks/network-stack';

const app = new App();
const backend = stateBackendFromEnv();
for (const config of environments()) {
  new NetworkStack(app, `network-${config.name}`, { config, backend });
}
app.synth();
