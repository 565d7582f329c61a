#!/usr/bin/env node
// A stand-in for az (acr; for the bootstrap: account, group, storage, ad, role), kubectl, kubelogin,
// git and npm (the repo's npm scripts) in ops/ tests.
// It records every call in $OPS_LOG, keeps a pretend cloud in $OPS_CLOUD (JSON), and fails
// any call whose command line contains $OPS_FAIL. Run from the test's working directory.
const fs = require('fs');
const path = require('path');
const { createHash } = require('crypto');

const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
// The setup window a synth was asked for shows in the log (`npm run up -- --setup-access`).
const line = `${tool} ${args.join(' ')}${process.env.SETUP_ACCESS_CIDR ? ` [SETUP_ACCESS_CIDR=${process.env.SETUP_ACCESS_CIDR}]` : ''}`;
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
  // With $OPS_OUTSIDE_VNET the caller is outside the VNet: the platform stack's secret writes
  // and grant:sql reach the private Key Vault and SQL server only through the setup window.
  const outside = process.env.OPS_OUTSIDE_VNET === '1';
  const synthesizedWindow = cloud.synthesizedWindow ?? null;
  if (script === 'synth') cloud.synthesizedWindow = process.env.SETUP_ACCESS_CIDR || null;
  if (script === 'tf' && sub === 'plan') {
    const stack = stackOf();
    const windowMoves = stack.startsWith('platform-') && (cloud.window ?? null) !== synthesizedWindow;
    const changes = cloud.stacks[stack] && !windowMoves ? [] : [{ address: `azurerm_thing.${stack}`, actions: ['update'] }];
    write(path.join('cdktf.out', 'stacks', stack, 'plan-summary.json'), JSON.stringify({ format: 1, stack, changes, outputChanges: [] }));
    out(`${stack}: ${changes.length} to add`);
  } else if (script === 'tf' && sub === 'apply') {
    const stack = stackOf();
    if (stack.startsWith('platform-')) {
      if (outside && !cloud.secretsWritten && !synthesizedWindow) {
        process.stderr.write('Error: checking for presence of existing Secret "db-server": dial tcp: i/o timeout\n');
        process.exit(1);
      }
      cloud.secretsWritten = true;
      cloud.window = synthesizedWindow;
    }
    cloud.stacks[stack] = true;
  } else if (script === 'tf' && sub === 'destroy') {
    const stack = stackOf();
    const n = cloud.stacks[stack] ? 7 : 0;
    delete cloud.stacks[stack];
    if (stack.startsWith('platform-')) Object.assign(cloud, { secretsWritten: false, window: null });
    out(`Destroy complete! Resources: ${n} destroyed.`);
  } else if (script === 'tf' && sub === 'outputs') {
    const env = flag('--env');
    write(path.join('cdktf.out', `outputs-${env}.json`), JSON.stringify({ [`platform-${env}`]: { key_vault_url: 'https://kv.vault.azure.net/' } }));
  } else if (script === 'grant:sql') {
    if (outside && !cloud.window) {
      process.stderr.write('ConnectionError: Failed to connect to the SQL server in 15000ms\n');
      process.exit(1);
    }
    out(cloud.granted ? 'order-app-identity already has its database user and roles.' : 'order-app-identity can now sign in.');
    cloud.granted = true;
  } else if (script === 'synth:k8s') {
    write(path.join('dist', 'k8s', flag('--env'), 'application-manifest.yaml'), `image: ${flag('--deploy-image')}\n`);
  }
  // preflight, synth, smoke: succeed.
} else if (tool === 'git') {
  if (args[0] === 'rev-parse') out('abc123def456');
  // status --porcelain: a clean tree (no output).
} else if (tool === 'az' && ['account', 'group', 'storage', 'ad', 'role'].includes(args[0])) {
  // The bootstrap's Azure: a subscription, resource groups, storage, Entra apps, roles, groups.
  const a = (cloud.azure ??= { groups: {}, accounts: {}, containers: {}, apps: [], sps: {}, roles: [], members: {}, creds: {} });
  const cmd = args
    .filter((x) => !x.startsWith('-'))
    .slice(0, 4)
    .join(' ');
  const notFound = () => {
    process.stderr.write(`ERROR: (NotFound) ${line}\n`);
    process.exit(3);
  };
  const json = (v) => out(JSON.stringify(v));
  const id = (kind, n) => `${kind}-${createHash('sha256').update(`${kind}${n}`).digest('hex').slice(0, 8)}`;
  if (cmd.startsWith('account show')) json({ id: flag('--subscription'), name: 'Pretend subscription', tenantId: 'tenant-0001' });
  else if (cmd.startsWith('account get-access-token')) out('pretend-azure-devops-token');
  else if (cmd.startsWith('group show')) {
    if (!a.groups[flag('--name')]) notFound();
  } else if (cmd.startsWith('group create')) a.groups[flag('--name')] = flag('--location');
  else if (cmd.startsWith('storage account show')) {
    if (!a.accounts[flag('--name')]) notFound();
    json(a.accounts[flag('--name')]);
  } else if (cmd.startsWith('storage account create') || cmd.startsWith('storage account update')) {
    const n = flag('--name');
    a.accounts[n] = {
      ...(a.accounts[n] ?? { id: `/subscriptions/sub/resourceGroups/${flag('--resource-group')}/providers/Microsoft.Storage/storageAccounts/${n}` }),
      allowSharedKeyAccess: flag('--allow-shared-key-access') === 'true',
      allowBlobPublicAccess: flag('--allow-blob-public-access') === 'true',
      minimumTlsVersion: flag('--min-tls-version'),
    };
    json(a.accounts[n]);
  } else if (cmd.startsWith('storage container-rm exists')) json({ exists: !!a.containers[`${flag('--storage-account')}/${flag('--name')}`] });
  else if (cmd.startsWith('storage container-rm create')) a.containers[`${flag('--storage-account')}/${flag('--name')}`] = true;
  else if (cmd.startsWith('ad app list')) json(a.apps.filter((x) => x.displayName === flag('--display-name')));
  else if (cmd.startsWith('ad app create')) {
    const app = { displayName: flag('--display-name'), appId: id('app', a.apps.length), id: id('appobj', a.apps.length) };
    a.apps.push(app);
    json(app);
  } else if (cmd.startsWith('ad sp show')) {
    if (!a.sps[flag('--id')]) notFound();
    json({ id: a.sps[flag('--id')] });
  } else if (cmd.startsWith('ad sp create')) {
    a.sps[flag('--id')] = id('sp', flag('--id'));
    json({ id: a.sps[flag('--id')] });
  } else if (cmd.startsWith('role assignment list')) {
    json(a.roles.filter((r) => r.principal === flag('--assignee-object-id') && r.role === flag('--role') && r.scope === flag('--scope')));
  } else if (cmd.startsWith('role assignment create'))
    a.roles.push({ principal: flag('--assignee-object-id'), role: flag('--role'), scope: flag('--scope') });
  else if (cmd.startsWith('ad group member check')) json({ value: (a.members[flag('--group')] ?? []).includes(flag('--member-id')) });
  else if (cmd.startsWith('ad group member add')) (a.members[flag('--group')] ??= []).push(flag('--member-id'));
  else if (cmd.startsWith('ad app federated-credential list')) json(a.creds[flag('--id')] ?? []);
  else if (cmd.startsWith('ad app federated-credential create')) (a.creds[flag('--id')] ??= []).push(JSON.parse(flag('--parameters')));
  else {
    process.stderr.write(`stand-in: no az ${cmd}\n`);
    process.exit(2);
  }
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
