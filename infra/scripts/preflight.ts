/**
 * What the stacks assume of the subscription and the tenant, checked before the first deploy
 * with the Azure CLI the person (or the pipeline) is signed in with:
 *   az login && npm run preflight -- --env dev
 * One line per check; a failed check says what is wrong and the command that fixes it.
 * Exit 0 when everything holds, 1 when something does not, 2 on bad arguments.
 */
import { spawnSync } from 'node:child_process';
import { oneOf, parseArgs, UsageError, usage } from '../../lib/cli-args';
import { environments, unsetDeploySettings, type EnvironmentConfig } from '../../platform/environment-config';

/** Resource providers the stacks create resources with. */
export const RESOURCE_PROVIDERS = [
  'Microsoft.ContainerService',
  'Microsoft.Compute',
  'Microsoft.Network',
  'Microsoft.KeyVault',
  'Microsoft.Sql',
  'Microsoft.ContainerRegistry',
  'Microsoft.ManagedIdentity',
  'Microsoft.OperationalInsights',
  'Microsoft.Insights',
  'Microsoft.DevOpsInfrastructure',
] as const;

/** The result of one check. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** What was found, and when not ok, what to do. */
  readonly detail: string;
}

/** Runs `az` with arguments and returns its parsed JSON (or text with `-o tsv`). */
export type Az = (args: readonly string[]) => { ok: boolean; stdout: string; stderr: string };

export function realAz(binary: string): Az {
  return (args) => {
    const r = spawnSync(binary, [...args], { encoding: 'utf8' });
    if (r.error) return { ok: false, stdout: '', stderr: r.error.message };
    return { ok: r.status === 0, stdout: (r.stdout as string | null) ?? '', stderr: (r.stderr as string | null) ?? '' };
  };
}

function json<T>(az: Az, args: readonly string[]): { value?: T; error?: string } {
  const r = az([...args, '-o', 'json']);
  if (!r.ok) return { error: (r.stderr || r.stdout).trim().split('\n')[0] || 'az failed' };
  try {
    return { value: JSON.parse(r.stdout) as T };
  } catch {
    return { error: `az printed no JSON for: az ${args.join(' ')}` };
  }
}

/** Runs every check for one environment; stops after the sign-in check fails (nothing else can be asked). */
export function preflight(config: EnvironmentConfig, az: Az, env: Readonly<Record<string, string | undefined>> = process.env): CheckResult[] {
  const results: CheckResult[] = [];
  const add = (name: string, ok: boolean, detail: string) => results.push({ name, ok, detail });

  const unset = unsetDeploySettings(config);
  add(
    'deploy settings',
    unset.length === 0,
    unset.length === 0
      ? "administrators' group, deployer and admin ranges are set"
      : `not set: ${unset.join(', ')}. Fix: export them (README "Synth and deploy"), then npm run synth`,
  );

  const account = json<{ id: string; tenantId: string; user?: { name: string } }>(az, ['account', 'show']);
  if (!account.value) {
    const missing = /ENOENT/.test(account.error ?? '');
    add(
      'signed in to Azure',
      false,
      missing
        ? 'the Azure CLI (az) is not installed or not on PATH. Fix: install it (https://aka.ms/azure-cli), then az login'
        : `${account.error}. Fix: az login (and az account set --subscription <id>)`,
    );
    return results;
  }
  const subscription = account.value.id;
  add('signed in to Azure', true, `subscription ${subscription} as ${account.value.user?.name ?? 'unknown'}`);
  const armSubscription = env.ARM_SUBSCRIPTION_ID;
  add(
    "ARM_SUBSCRIPTION_ID (Terraform's azurerm provider needs it)",
    armSubscription === subscription,
    armSubscription === subscription
      ? subscription
      : `${armSubscription ? `is ${armSubscription}, not the signed-in subscription` : 'not set'}. Fix: export ARM_SUBSCRIPTION_ID=${subscription}`,
  );

  for (const namespace of RESOURCE_PROVIDERS) {
    const r = az(['provider', 'show', '--namespace', namespace, '--query', 'registrationState', '-o', 'tsv']);
    const state = r.stdout.trim();
    const ok = r.ok && state === 'Registered';
    add(
      `resource provider ${namespace}`,
      ok,
      ok ? 'Registered' : `${state || r.stderr.trim() || 'not registered'}. Fix: az provider register --namespace ${namespace}`,
    );
  }

  // Node pools encrypt temp disks and caches at the host (CKV_AZURE_227); Azure refuses the
  // pools unless the subscription has this feature.
  const feature = az([
    'feature',
    'show',
    '--namespace',
    'Microsoft.Compute',
    '--name',
    'EncryptionAtHost',
    '--query',
    'properties.state',
    '-o',
    'tsv',
  ]);
  const featureState = feature.stdout.trim();
  add(
    'feature Microsoft.Compute/EncryptionAtHost',
    feature.ok && featureState === 'Registered',
    feature.ok && featureState === 'Registered'
      ? 'Registered'
      : `${featureState || feature.stderr.trim() || 'not registered'}. ` +
          `Fix: az feature register --namespace Microsoft.Compute --name EncryptionAtHost, ` +
          `wait until it shows Registered, then az provider register --namespace Microsoft.Compute`,
  );

  const { adminGroup, sqlAdminGroup, deployerObjectId } = config.access;
  const groupCheck = (label: string, group: { objectId: string; displayName: string }, setting: string) => {
    const found = json<{ id: string; displayName: string }>(az, [
      'ad',
      'group',
      'show',
      '--group',
      group.objectId,
      '--query',
      '{id:id,displayName:displayName}',
    ]);
    if (!found.value) add(label, false, `${group.objectId} not found (${found.error}). Fix: create the group or correct ${setting}_OBJECT_ID`);
    else if (found.value.displayName !== group.displayName)
      add(
        label,
        false,
        `${group.objectId} is named "${found.value.displayName}", not "${group.displayName}". Fix: ${setting}_NAME="${found.value.displayName}"`,
      );
    else add(label, true, `${found.value.displayName} (${found.value.id})`);
  };
  const memberOf = (group: string): boolean | undefined => {
    const r = az(['ad', 'group', 'member', 'check', '--group', group, '--member-id', deployerObjectId, '--query', 'value', '-o', 'tsv']);
    return r.ok ? r.stdout.trim() === 'true' : undefined;
  };
  if (!unset.includes('ADMIN_GROUP_OBJECT_ID')) groupCheck("administrators' group", adminGroup, 'ADMIN_GROUP');
  if (!unset.includes('SQL_ADMIN_GROUP_OBJECT_ID'))
    groupCheck("SQL administrators' group (Azure SQL signs its administrator in by this name)", sqlAdminGroup, 'SQL_ADMIN_GROUP');
  if (!unset.includes('SQL_ADMIN_GROUP_OBJECT_ID') && !unset.includes('DEPLOYER_OBJECT_ID')) {
    const isMember = memberOf(sqlAdminGroup.objectId) === true;
    add(
      "deployer in the SQL administrators' group (grant:sql signs in to Azure SQL as a member)",
      isMember,
      isMember ? 'member' : `not a member. Fix: az ad group member add --group ${sqlAdminGroup.objectId} --member-id ${deployerObjectId}`,
    );
  }
  if (!unset.includes('ADMIN_GROUP_OBJECT_ID') && !unset.includes('DEPLOYER_OBJECT_ID')) {
    const isMember = memberOf(adminGroup.objectId);
    add(
      "deployer not in the administrators' group (that would make it cluster-admin)",
      isMember === false,
      isMember === false
        ? 'not a member'
        : isMember
          ? `a member. Fix: az ad group member remove --group ${adminGroup.objectId} --member-id ${deployerObjectId}`
          : 'membership could not be read',
    );
  }
  if (!unset.includes('DEPLOYER_OBJECT_ID')) {
    const roles = json<string[]>(az, [
      'role',
      'assignment',
      'list',
      '--assignee',
      deployerObjectId,
      '--scope',
      `/subscriptions/${subscription}`,
      '--include-inherited',
      '--query',
      '[].roleDefinitionName',
    ]);
    const names = roles.value ?? [];
    // The stacks create role assignments and a custom role: Owner, or Contributor with User Access Administrator.
    const ok = names.includes('Owner') || (names.includes('Contributor') && names.includes('User Access Administrator'));
    add(
      'deployer may create resources, role assignments and roles',
      ok,
      ok
        ? names.join(', ')
        : `has ${names.join(', ') || 'no role'} on the subscription${roles.error ? ` (${roles.error})` : ''}. ` +
            `Fix: az role assignment create --assignee-object-id ${deployerObjectId} --assignee-principal-type ServicePrincipal ` +
            `--role Owner --scope /subscriptions/${subscription}`,
    );
  }

  const c = config.cluster;
  for (const size of [...new Set([c.systemPool.vmSize, c.userPool.vmSize])]) {
    const skus = json<
      {
        name: string;
        restrictions?: { type: string; reasonCode?: string; restrictionInfo?: { zones?: string[] } }[];
        locationInfo?: { zones?: string[] }[];
      }[]
    >(az, ['vm', 'list-skus', '--location', config.location, '--resource-type', 'virtualMachines', '--size', size, '--all']);
    const sku = skus.value?.find((s) => s.name.toLowerCase() === size.toLowerCase());
    if (!sku) {
      add(
        `VM size ${size} in ${config.location}`,
        false,
        `${skus.error ?? 'not offered in this region'}. Fix: choose another vmSize for the node pools`,
      );
      continue;
    }
    const blocked = (sku.restrictions ?? []).filter((r) => r.type === 'Location');
    const zones = sku.locationInfo?.[0]?.zones ?? [];
    const restrictedZones = (sku.restrictions ?? []).filter((r) => r.type === 'Zone').flatMap((r) => r.restrictionInfo?.zones ?? []);
    const missing = c.zones.filter((z) => !zones.includes(z) || restrictedZones.includes(z));
    if (blocked.length > 0)
      add(
        `VM size ${size} in ${config.location}`,
        false,
        `restricted for this subscription (${blocked.map((b) => b.reasonCode).join(', ')}). Fix: request quota/access or choose another vmSize`,
      );
    else if (missing.length > 0)
      add(`VM size ${size} in ${config.location}`, false, `not available in zone(s) ${missing.join(', ')}. Fix: change cluster.zones or the vmSize`);
    else add(`VM size ${size} in ${config.location}`, true, `zones ${c.zones.join(', ')}`);
  }

  const versions = json<{ values?: { version: string; isPreview?: boolean | null }[] }>(az, ['aks', 'get-versions', '--location', config.location]);
  const minor = c.kubernetesVersion.split('.').slice(0, 2).join('.');
  const offered = (versions.value?.values ?? []).filter((v) => !v.isPreview).map((v) => v.version.split('.').slice(0, 2).join('.'));
  add(
    `Kubernetes ${c.kubernetesVersion} on AKS in ${config.location}`,
    offered.includes(minor),
    offered.includes(minor)
      ? 'offered'
      : `${versions.error ?? `offered: ${[...new Set(offered)].join(', ') || 'none'}`}. Fix: set cluster.kubernetesVersion to one of them`,
  );

  // Purge protection keeps a deleted vault's name reserved for its retention period.
  const deleted = json<{ name: string; properties?: { scheduledPurgeDate?: string } }[]>(az, [
    'keyvault',
    'list-deleted',
    '--resource-type',
    'vault',
    '--query',
    `[?name=='${config.data.keyVaultName}']`,
  ]);
  const held = deleted.value?.[0];
  add(
    `Key Vault name ${config.data.keyVaultName} free`,
    deleted.value !== undefined && !held,
    held
      ? `a deleted vault of this name is kept until ${held.properties?.scheduledPurgeDate ?? 'its purge date'}. ` +
          `Fix: az keyvault recover --name ${config.data.keyVaultName} (then import it), or another GLOBAL_NAME_PREFIX`
      : (deleted.error ?? 'no deleted vault holds it'),
  );
  return results;
}

const FLAGS = { env: 'environment: dev or prod', az: 'Azure CLI binary (default az on PATH)' };

function main(): number {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    process.stdout.write(usage('npm run preflight -- --env <env> [--az <path>]', FLAGS));
    return 0;
  }
  const all = environments();
  const name = oneOf(
    'env',
    args.env,
    all.map((e) => e.name),
  );
  const config = all.find((e) => e.name === name)!;
  const results = preflight(config, realAz(args.az ?? 'az'));
  for (const r of results) process.stdout.write(`${r.ok ? '✓' : '✗'} ${r.name}: ${r.detail}\n`);
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(
    failed === 0 ? `${config.name}: ready to deploy.\n` : `${config.name}: ${failed} check(s) failed; fix them before deploying.\n`,
  );
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (err) {
    process.stderr.write(`preflight: ${(err as Error).message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}
