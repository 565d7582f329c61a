/**
 * The one-time setup the pipeline needs, in one command that can be run again:
 *   npm run bootstrap:pipeline -- --organization https://dev.azure.com/<org> --project <name> --approver <group or user>
 * Terraform state storage; the deployer's Entra app and service principal with its roles and
 * its SQL administrators' membership; the Azure Resource Manager service connection with
 * workload identity federation and the app's federated credential for it; the variable group;
 * the environments with approval and exclusive-lock checks; the pipeline and the mutation-testing
 * pipeline. Every name comes from pipelines/ (variables.yml, azure-pipelines.yml) and the platform model. Each step checks
 * before it creates: a second run creates nothing and says so; a stopped run continues.
 * Azure DevOps is reached with a bearer token from `az account get-access-token` (never a PAT).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ServiceEndpoint } from 'azure-devops-node-api/interfaces/ServiceEndpointInterfaces';
import { parseArgs, usage, UsageError } from '../lib/cli-args';
import { DEPLOY_SETTING_VARIABLES, ENVIRONMENT_NAMES } from '../platform/environment-config';
import { PLATFORM_MODEL } from '../platform/platform-model';
import { AZURE_DEVOPS_RESOURCE, AzureDevOps, CHECK_TYPES, type CheckConfiguration } from './azure-devops';
import { MUTATION_PIPELINE_FILE, PIPELINE_FILE, readPipelineSettings, type PipelineSettings } from './pipeline-settings';
import { must, runStepsAsync, sh, StepFailed, StepsStopped, type AsyncStep } from './steps';

const FLAGS = {
  organization: 'the Azure DevOps organisation URL, e.g. https://dev.azure.com/contoso',
  project: 'the Azure DevOps project',
  repository: 'the Azure Repos repository holding this code (default: the project name)',
  approver: 'the group or user who approves each environment, e.g. "[contoso]\\Order Platform Approvers" or ada@contoso.com',
  'sql-admin-group-object-id': "the SQL administrators' Entra group (default: SQL_ADMIN_GROUP_OBJECT_ID)",
  location: "the Azure region of the state storage (default: the registry's)",
};

/** The variable the bootstrap generates, stores as a secret and never prints. */
export const GENERATED_SECRET = 'MSSQL_SA_PASSWORD';
/** The variable the bootstrap fills in from the service principal it creates. */
export const DEPLOYER_VARIABLE = 'DEPLOYER_OBJECT_ID';
/** The audience Azure DevOps's federated tokens carry. */
export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
/** The pipeline the bootstrap creates from pipelines/azure-pipelines.yml. */
export const PIPELINE_NAME = 'order-platform';
/** The pipeline the bootstrap creates from pipelines/mutation-testing.yml. */
export const MUTATION_PIPELINE_NAME = 'order-platform-mutation';
const OWNER = 'Owner';
const BLOB_CONTRIBUTOR = 'Storage Blob Data Contributor';

/** The settings the stacks read that the variable group carries when the person running the bootstrap has them set. */
export function optionalGroupVariables(): string[] {
  const perEnv = ENVIRONMENT_NAMES.flatMap((e) => ['PUBLIC_HOST', 'OIDC_CLIENT_ID', 'VNET_ADDRESS_SPACE'].map((v) => `${v}_${e.toUpperCase()}`));
  return ['ADMIN_GROUP_NAME', 'SQL_ADMIN_GROUP_NAME', 'ALERT_EMAILS', 'INTERNAL_CLIENT_CIDRS', 'OIDC_ISSUER_URL', ...perEnv];
}

/**
 * The variables the group must hold from the environment: the `$(NAME)` macros the pipeline
 * reads that its YAML does not define, and the settings `npm run tf` refuses to deploy without;
 * less the two the bootstrap makes itself (the deployer's object id and the generated secret).
 */
export function requiredGroupVariables(settings: PipelineSettings): string[] {
  const names = new Set([...settings.undefinedMacros, ...DEPLOY_SETTING_VARIABLES]);
  names.delete(GENERATED_SECRET);
  names.delete(DEPLOYER_VARIABLE);
  return [...names].sort();
}

/** The group's values from the environment; a `UsageError` naming every missing variable. */
export function groupValues(settings: PipelineSettings, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const required = requiredGroupVariables(settings);
  const missing = required.filter((n) => !env[n]?.trim());
  if (missing.length)
    throw new UsageError(
      `Set ${missing.join(', ')} in the environment first: the variable group "${settings.variableGroup}" holds them ` +
        '(docs/deploy.md, "Synth and deploy"). Nothing was created.',
    );
  const present = [...required, ...optionalGroupVariables()].filter((n) => env[n]?.trim());
  return Object.fromEntries(present.map((n) => [n, env[n]!.trim()]));
}

/** A password SQL Server accepts (upper, lower, digit, symbol; 36 characters), from the system's CSPRNG. */
export function generatePassword(): string {
  return `${randomBytes(24).toString('base64url')}Aa1!`;
}

/** What the steps learn and pass on. */
interface Context {
  subscription?: { id: string; name: string; tenantId: string };
  ado?: AzureDevOps;
  project?: { id: string; name: string };
  repository?: { id: string; name: string };
  storageAccountId?: string;
  app?: { appId: string; objectId: string };
  spObjectId?: string;
  endpoint?: ServiceEndpoint;
}

export interface BootstrapOptions {
  readonly organization: string;
  readonly project: string;
  readonly repository: string;
  readonly approver: string;
  readonly sqlAdminGroupObjectId: string;
  readonly location: string;
  /** The variable group's values from the environment (`groupValues`). */
  readonly values: Readonly<Record<string, string>>;
}

const json = <T>(command: string, args: string[]): T => JSON.parse(must(command, [...args, '--output', 'json'], { quiet: true })) as T;
const exists = (args: string[]): boolean => sh('az', [...args, '--output', 'none'], { quiet: true }).code === 0;
const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new StepFailed(`${what} is not known: an earlier step did not run`);
  return value;
};

/** The steps of the bootstrap, in order. */
export function bootstrapSteps(settings: PipelineSettings, o: BootstrapOptions): AsyncStep[] {
  const c: Context = {};
  const { resourceGroup, storageAccount, container } = settings.state;
  const appName = `${settings.serviceConnection}-deployer`;
  const environments = ['shared', ...ENVIRONMENT_NAMES].map((e) => `${settings.environmentPrefix}${e}`);
  let approver: { id: string; displayName: string } | undefined;

  const roleStep = (role: string, scopeOf: () => string, where: string): AsyncStep => ({
    title: `${role} for the deployer on ${where}`,
    help: 'Assigning roles needs Owner or User Access Administrator on that scope: ask one to run this, or assign the role by hand (docs/deploy.md).',
    run: () => {
      const sp = need(c.spObjectId, "the deployer's service principal");
      const scope = scopeOf();
      const base = ['--assignee-object-id', sp, '--role', role, '--scope', scope];
      if (json<unknown[]>('az', ['role', 'assignment', 'list', ...base]).length > 0)
        return { changed: false, detail: `${role} already assigned on ${scope}` };
      must('az', ['role', 'assignment', 'create', ...base, '--assignee-principal-type', 'ServicePrincipal'], { quiet: true });
      return { changed: true, detail: `${role} assigned on ${scope}` };
    },
  });

  const steps: AsyncStep[] = [
    {
      title: 'Azure subscription, Azure DevOps project and repository',
      help:
        '`az login` (as an owner of the subscription and a project administrator); ' +
        'check ARM_SUBSCRIPTION_ID, --organization, --project and --repository.',
      run: async () => {
        c.subscription = json('az', ['account', 'show', '--subscription', o.values.ARM_SUBSCRIPTION_ID!]);
        const token = must('az', ['account', 'get-access-token', '--resource', AZURE_DEVOPS_RESOURCE, '--query', 'accessToken', '--output', 'tsv'], {
          quiet: true,
        }).trim();
        if (!token) throw new StepFailed('`az account get-access-token` returned no token for Azure DevOps');
        c.ado = new AzureDevOps(o.organization, token);
        c.project = await c.ado.project(o.project);
        c.repository = await c.ado.repository(c.project.name, o.repository);
        return { changed: false, detail: `subscription ${c.subscription!.name}, project ${c.project.name}, repository ${c.repository.name}` };
      },
    },
    {
      title: `Terraform state: resource group ${resourceGroup}`,
      help: 'Creating a resource group needs Contributor on the subscription.',
      run: () => {
        if (exists(['group', 'show', '--name', resourceGroup])) return { changed: false, detail: `${resourceGroup} exists` };
        must('az', ['group', 'create', '--name', resourceGroup, '--location', o.location], { quiet: true });
        return { changed: true, detail: `created ${resourceGroup} in ${o.location}` };
      },
    },
    {
      title: `Terraform state: storage account ${storageAccount} (Entra sign-in only, no public blobs, TLS 1.2)`,
      help: 'Storage account names are global: if the name is taken, change TF_STATE_STORAGE_ACCOUNT in pipelines/variables.yml.',
      run: () => {
        const rules = ['--allow-shared-key-access', 'false', '--allow-blob-public-access', 'false', '--min-tls-version', 'TLS1_2'];
        const where = ['--name', storageAccount, '--resource-group', resourceGroup];
        type Account = { id: string; allowSharedKeyAccess?: boolean; allowBlobPublicAccess?: boolean; minimumTlsVersion?: string };
        if (!exists(['storage', 'account', 'show', ...where])) {
          const created = json<Account>('az', [
            'storage',
            'account',
            'create',
            ...where,
            '--location',
            o.location,
            '--sku',
            'Standard_ZRS',
            '--kind',
            'StorageV2',
            ...rules,
          ]);
          c.storageAccountId = created.id;
          return { changed: true, detail: `created ${storageAccount}` };
        }
        const a = json<Account>('az', ['storage', 'account', 'show', ...where]);
        c.storageAccountId = a.id;
        if (a.allowSharedKeyAccess === false && a.allowBlobPublicAccess === false && a.minimumTlsVersion === 'TLS1_2')
          return { changed: false, detail: `${storageAccount} exists with shared keys and public blobs off, TLS 1.2` };
        must('az', ['storage', 'account', 'update', ...where, ...rules], { quiet: true });
        return { changed: true, detail: `${storageAccount}: shared keys and public blobs turned off, TLS 1.2 required` };
      },
    },
    {
      title: `Terraform state: container ${container}`,
      help: 'Creating the container through Resource Manager needs Contributor on the storage account.',
      run: () => {
        const where = ['--storage-account', storageAccount, '--resource-group', resourceGroup, '--name', container];
        if (json<{ exists: boolean }>('az', ['storage', 'container-rm', 'exists', ...where]).exists)
          return { changed: false, detail: `${container} exists` };
        must('az', ['storage', 'container-rm', 'create', ...where], { quiet: true });
        return { changed: true, detail: `created ${container}` };
      },
    },
    {
      title: `The deployer: Entra app and service principal ${appName}`,
      help: 'Creating an app registration needs the Application Developer role in Entra ID (or users allowed to register apps).',
      run: () => {
        let changed = false;
        let apps = json<{ appId: string; id: string }[]>('az', ['ad', 'app', 'list', '--display-name', appName]);
        if (apps.length > 1) throw new StepFailed(`${apps.length} Entra apps are named ${appName}: delete the extra ones or rename them`);
        if (apps.length === 0) {
          apps = [json<{ appId: string; id: string }>('az', ['ad', 'app', 'create', '--display-name', appName])];
          changed = true;
        }
        c.app = { appId: apps[0]!.appId, objectId: apps[0]!.id };
        if (exists(['ad', 'sp', 'show', '--id', c.app.appId]))
          c.spObjectId = json<{ id: string }>('az', ['ad', 'sp', 'show', '--id', c.app.appId]).id;
        else {
          c.spObjectId = json<{ id: string }>('az', ['ad', 'sp', 'create', '--id', c.app.appId]).id;
          changed = true;
        }
        return { changed, detail: `app ${c.app.appId}, service principal (${DEPLOYER_VARIABLE}) ${c.spObjectId}${changed ? '' : ', both existed'}` };
      },
    },
    roleStep(
      OWNER,
      () => `/subscriptions/${need(c.subscription, 'the subscription').id}`,
      'the subscription (it creates role assignments and a custom role)',
    ),
    roleStep(BLOB_CONTRIBUTOR, () => need(c.storageAccountId, 'the state storage account'), `the state account ${storageAccount}`),
    {
      title: "The deployer in the SQL administrators' group",
      help: 'Adding a member needs ownership of the group (or the Groups Administrator role); check --sql-admin-group-object-id.',
      run: () => {
        const sp = need(c.spObjectId, "the deployer's service principal");
        const g = ['--group', o.sqlAdminGroupObjectId, '--member-id', sp];
        if (json<{ value: boolean }>('az', ['ad', 'group', 'member', 'check', ...g]).value) return { changed: false, detail: 'already a member' };
        must('az', ['ad', 'group', 'member', 'add', ...g], { quiet: true });
        return { changed: true, detail: `added to ${o.sqlAdminGroupObjectId}` };
      },
    },
    {
      title: `Service connection ${settings.serviceConnection} (Azure Resource Manager, workload identity federation)`,
      help: 'Creating a service connection needs the Endpoint Creator role in the project (Project settings > Service connections > Security).',
      run: async () => {
        const ado = need(c.ado, 'Azure DevOps');
        const project = need(c.project, 'the project');
        const app = need(c.app, "the deployer's app");
        const sub = need(c.subscription, 'the subscription');
        const found = await ado.serviceEndpoint(project.name, settings.serviceConnection);
        if (found) {
          const p = found.authorization?.parameters ?? {};
          if (found.authorization?.scheme !== 'WorkloadIdentityFederation' || p.serviceprincipalid !== app.appId)
            throw new StepFailed(
              `service connection ${settings.serviceConnection} exists with scheme ${found.authorization?.scheme} ` +
                `and principal ${p.serviceprincipalid}, ` +
                `not workload identity federation with ${app.appId}: delete it or rename azureServiceConnection in pipelines/variables.yml`,
            );
          c.endpoint = found;
          return { changed: false, detail: `${settings.serviceConnection} exists (id ${found.id})` };
        }
        c.endpoint = await ado.createServiceEndpoint({
          name: settings.serviceConnection,
          type: 'azurerm',
          url: 'https://management.azure.com/',
          data: { subscriptionId: sub.id, subscriptionName: sub.name, environment: 'AzureCloud', scopeLevel: 'Subscription', creationMode: 'Manual' },
          authorization: { scheme: 'WorkloadIdentityFederation', parameters: { tenantid: sub.tenantId, serviceprincipalid: app.appId } },
          isShared: false,
          isReady: true,
          serviceEndpointProjectReferences: [{ name: settings.serviceConnection, projectReference: { id: project.id, name: project.name } }],
        });
        return { changed: true, detail: `created ${settings.serviceConnection} (id ${c.endpoint.id})` };
      },
    },
    {
      title: "The deployer's federated credential for the service connection",
      help: 'Adding a federated credential needs ownership of the app registration (or the Application Administrator role).',
      run: () => {
        const app = need(c.app, "the deployer's app");
        const p = need(c.endpoint, 'the service connection').authorization?.parameters ?? {};
        const issuer = p.workloadIdentityFederationIssuer;
        const subject = p.workloadIdentityFederationSubject;
        if (!issuer || !subject) throw new StepFailed('the service connection reports no workloadIdentityFederationIssuer/Subject');
        const creds = json<{ issuer: string; subject: string }[]>('az', ['ad', 'app', 'federated-credential', 'list', '--id', app.appId]);
        if (creds.some((f) => f.issuer === issuer && f.subject === subject)) return { changed: false, detail: `exists for ${subject}` };
        const parameters = {
          name: settings.serviceConnection,
          issuer,
          subject,
          audiences: [FEDERATION_AUDIENCE],
          description: 'Azure DevOps service connection',
        };
        must('az', ['ad', 'app', 'federated-credential', 'create', '--id', app.appId, '--parameters', JSON.stringify(parameters)], { quiet: true });
        return { changed: true, detail: `created for ${subject}` };
      },
    },
    {
      title: `Variable group ${settings.variableGroup}`,
      help: 'Creating a variable group needs the Creator role on Library (Pipelines > Library > Security).',
      run: async () => {
        const ado = need(c.ado, 'Azure DevOps');
        const project = need(c.project, 'the project');
        const values = { ...o.values, [DEPLOYER_VARIABLE]: need(c.spObjectId, "the deployer's service principal") };
        const found = await ado.variableGroup(project.name, settings.variableGroup);
        if (found) {
          const missing = [...Object.keys(values), GENERATED_SECRET].filter((n) => !Object.hasOwn(found.variables ?? {}, n));
          if (missing.length)
            throw new StepFailed(
              `${settings.variableGroup} exists without ${missing.join(', ')}: add them in Pipelines > Library (it is not overwritten)`,
            );
          return { changed: false, detail: `${settings.variableGroup} exists with every variable (values not compared)` };
        }
        const variables = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, isSecret: false }]));
        await ado.addVariableGroup({
          name: settings.variableGroup,
          type: 'Vsts',
          description: 'The order platform pipeline (npm run bootstrap:pipeline)',
          variables: { ...variables, [GENERATED_SECRET]: { value: generatePassword(), isSecret: true } },
          variableGroupProjectReferences: [{ name: settings.variableGroup, projectReference: { id: project.id, name: project.name } }],
        });
        return {
          changed: true,
          detail: `created with ${[...Object.keys(values), GENERATED_SECRET].sort().join(', ')} (${GENERATED_SECRET} generated, secret)`,
        };
      },
    },
    ...environments.map((name): AsyncStep => ({
      title: `Environment ${name}: approval by ${o.approver} and an exclusive lock`,
      help: 'Creating environments and checks needs the Creator role on Environments and Administrator on each; check --approver.',
      run: async () => {
        const ado = need(c.ado, 'Azure DevOps');
        const project = need(c.project, 'the project');
        if (!approver) {
          const ids = await ado.identities(o.approver);
          if (ids.length !== 1)
            throw new StepFailed(`--approver "${o.approver}" matches ${ids.length} identities in the organisation; name exactly one group or user`);
          approver = { id: ids[0]!.id, displayName: ids[0]!.providerDisplayName ?? o.approver };
        }
        const made: string[] = [];
        let env = await ado.environment(project.name, name);
        if (!env) {
          env = await ado.addEnvironment(project.name, name, 'The order platform (npm run bootstrap:pipeline)');
          made.push('environment');
        }
        const checks = await ado.checks(project.name, env.id);
        const has = (typeId: string): boolean => checks.some((k) => k.type.id.toLowerCase() === typeId.toLowerCase());
        const resource = { type: 'environment', id: String(env.id), name };
        const wanted: CheckConfiguration[] = [
          {
            type: CHECK_TYPES.approval,
            settings: {
              approvers: [approver],
              executionOrder: 'anyOrder',
              minRequiredApprovers: 0,
              instructions: 'Approve the plan summary on the run before it is applied.',
              blockedApprovers: [],
              requesterCannotBeApprover: false,
            },
            resource,
            timeout: 43200,
          },
          { type: CHECK_TYPES.exclusiveLock, settings: {}, resource, timeout: 43200 },
        ];
        for (const check of wanted.filter((w) => !has(w.type.id))) {
          await ado.addCheck(project.name, check);
          made.push(`${check.type.name} check`);
        }
        return made.length ? { changed: true, detail: `created ${made.join(', ')}` } : { changed: false, detail: `${name} has both checks` };
      },
    })),
    ...(
      [
        [PIPELINE_NAME, PIPELINE_FILE],
        [MUTATION_PIPELINE_NAME, MUTATION_PIPELINE_FILE],
      ] as const
    ).map(([name, file]) => ({
      title: `Pipeline ${name} from ${file}`,
      help: `Creating a pipeline needs the Edit build pipeline permission; the repository must hold ${file} on its default branch.`,
      run: async () => {
        const ado = need(c.ado, 'Azure DevOps');
        const project = need(c.project, 'the project');
        const found = await ado.pipeline(project.name, name);
        if (found) return { changed: false, detail: `${name} exists (id ${found.id})` };
        const made = await ado.createPipeline(project.name, name, file, need(c.repository, 'the repository'));
        return { changed: true, detail: `created ${name} (id ${made.id})` };
      },
    })),
  ];
  return steps;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  const synopsis = 'npm run bootstrap:pipeline -- --organization <url> --project <name> --approver <group or user> [--repository <name>]';
  if (args.help) {
    process.stdout.write(usage(synopsis, FLAGS));
    return;
  }
  for (const f of ['organization', 'project', 'approver'])
    if (!args[f]) throw new UsageError(`--${f} is required (${FLAGS[f as keyof typeof FLAGS]}).\n${usage(synopsis, FLAGS)}`);
  const settings = readPipelineSettings(join(__dirname, '..'));
  const sqlAdminGroupObjectId = args['sql-admin-group-object-id'] ?? process.env.SQL_ADMIN_GROUP_OBJECT_ID;
  const values = groupValues(settings, { ...process.env, SQL_ADMIN_GROUP_OBJECT_ID: sqlAdminGroupObjectId });
  const changed = await runStepsAsync(
    bootstrapSteps(settings, {
      organization: args.organization!,
      project: args.project!,
      repository: args.repository ?? args.project!,
      approver: args.approver!,
      sqlAdminGroupObjectId: values.SQL_ADMIN_GROUP_OBJECT_ID!,
      location: args.location ?? PLATFORM_MODEL.shared.registry.location,
      values,
    }),
  );
  process.stdout.write(
    changed === 0
      ? "\nNothing created: the pipeline's one-time setup was already complete.\n"
      : `\n${changed} step(s) created or changed something. Next: run the pipeline ${PIPELINE_NAME}; ` +
          'its first run stops after Apply_network_<env> (docs/deploy.md, "The first run").\n',
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    if (!(err instanceof StepsStopped)) process.stderr.write(`bootstrap:pipeline: ${(err as Error).message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
