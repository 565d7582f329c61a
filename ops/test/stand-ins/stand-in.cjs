#!/usr/bin/env node
// A stand-in for az, kubectl, kubelogin, git and npm (the repo's npm scripts) in ops/ tests.
// It records every call in $OPS_LOG, keeps a pretend cloud in $OPS_CLOUD (JSON), and fails
// any call whose command line contains $OPS_FAIL. Run from the test's working directory.
const fs = require('fs');
const path = require('path');
const { createHash } = require('crypto');

const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
const line = `${tool} ${args.join(' ')}`;
fs.appendFileSync(process.env.OPS_LOG, `${line}\n`);
const cloudFile = process.env.OPS_CLOUD;
const cloud = fs.existsSync(cloudFile) ? JSON.parse(fs.readFileSync(cloudFile, 'utf8')) : { stacks: {}, images: {}, granted: false, deployed: null };
const save = () => fs.writeFileSync(cloudFile, JSON.stringify(cloud));
const out = (s) => process.stdout.write(`${s}\n`);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const write = (file, text) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};
if (process.env.OPS_FAIL && line.includes(process.env.OPS_FAIL)) {
  process.stderr.write(`stand-in: ${tool} failed on purpose\n`);
  process.exit(1);
}

const stackOf = () => {
  const env = flag('--env');
  if (env === 'shared') return 'registry';
  return `${flag('--stack')}-${env}`;
};

if (tool === 'npm') {
  const script = args[2];
  const sub = args[4];
  if (script === 'tf' && sub === 'plan') {
    const stack = stackOf();
    const changes = cloud.stacks[stack] ? [] : [{ address: `azurerm_thing.${stack}`, actions: ['create'] }];
    write(path.join('cdktf.out', 'stacks', stack, 'plan-summary.json'), JSON.stringify({ format: 1, stack, changes, outputChanges: [] }));
    out(`${stack}: ${changes.length} to add`);
  } else if (script === 'tf' && sub === 'apply') {
    cloud.stacks[stackOf()] = true;
  } else if (script === 'tf' && sub === 'destroy') {
    const stack = stackOf();
    const n = cloud.stacks[stack] ? 7 : 0;
    delete cloud.stacks[stack];
    out(`Destroy complete! Resources: ${n} destroyed.`);
  } else if (script === 'tf' && sub === 'outputs') {
    const env = flag('--env');
    write(path.join('cdktf.out', `outputs-${env}.json`), JSON.stringify({ [`platform-${env}`]: { key_vault_url: 'https://kv.vault.azure.net/' } }));
  } else if (script === 'grant:sql') {
    out(cloud.granted ? 'order-app-identity already has its database user and roles.' : 'order-app-identity can now sign in.');
    cloud.granted = true;
  } else if (script === 'synth:k8s') {
    write(path.join('dist', 'k8s', flag('--env'), 'application-manifest.yaml'), `image: ${flag('--deploy-image')}\n`);
  }
  // preflight, synth, smoke: succeed.
} else if (tool === 'git') {
  if (args[0] === 'rev-parse') out('abc123def456');
  // status --porcelain: a clean tree (no output).
} else if (tool === 'az') {
  const image = flag('--image');
  if (args[0] === 'acr' && args[1] === 'repository' && args[2] === 'show') {
    const tag = image.split(':')[1];
    if (!cloud.images[tag]) {
      process.stderr.write(`ERROR: manifest unknown: ${image}\n`);
      process.exit(3);
    }
    out(args.includes('--query') ? cloud.images[tag] : JSON.stringify({ digest: cloud.images[tag] }));
  } else if (args[0] === 'acr' && args[1] === 'build') {
    cloud.images[image.split(':')[1]] = `sha256:${createHash('sha256').update(image).digest('hex')}`;
  }
} else if (tool === 'kubectl') {
  const file = flag('-f');
  const content = file ? fs.readFileSync(file, 'utf8') : '';
  if (args[0] === 'diff') {
    if (cloud.deployed === content) process.exit(0);
    out(`-${cloud.deployed}\n+${content}`);
    process.exit(1);
  }
  if (args[0] === 'apply') cloud.deployed = content;
}
save();
