import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from '@cdktf/hcl2json';

// `cdktf synth --hcl` is the way out to plain Terraform: its output must parse as HCL.
test('cdktf synth --hcl writes HCL that parses, for every stack', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'hcl-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        require.resolve('tsx/cli'),
        '-e',
        `
      process.env.SYNTH_HCL_OUTPUT = 'true';
      const { App } = require('cdktf');
      const app = new App({ outdir: ${JSON.stringify(outdir)}, skipValidation: true });
      const { environments } = require('./platform/environment-config');
      const { registryConfig } = require('./platform/registry-config');
      const { RegistryStack } = require('./infra/stacks/registry-stack');
      const { NetworkStack } = require('./infra/stacks/network-stack');
      const { PlatformStack } = require('./infra/stacks/platform-stack');
      const registry = new RegistryStack(app, 'registry', { config: registryConfig({}) });
      const [dev] = environments({});
      const network = new NetworkStack(app, 'network-dev', { config: dev });
      new PlatformStack(app, 'platform-dev', { config: dev, networking: network.networking, registry: registry.containerRegistry });
      app.synth();
    `,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    const stacks = readdirSync(join(outdir, 'stacks'));
    expect(stacks.sort()).toEqual(['network-dev', 'platform-dev', 'registry']);
    for (const stack of stacks) {
      const hcl = readFileSync(join(outdir, 'stacks', stack, 'cdk.tf'), 'utf8');
      expect(hcl).not.toMatch(/^\s*0 = /m);
      const parsed = (await parse(`${stack}.tf`, hcl)) as { terraform: { required_providers: unknown }[]; resource?: unknown };
      expect(parsed.terraform[0]!.required_providers).toBeDefined();
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
