import * as azdev from 'azure-devops-node-api';
import type { CreatePipelineParameters } from 'azure-devops-node-api/interfaces/PipelinesInterfaces';
import type { ServiceEndpoint } from 'azure-devops-node-api/interfaces/ServiceEndpointInterfaces';
import type { VariableGroup, VariableGroupParameters } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces';
import { StepFailed } from './steps';

/** Azure DevOps's application id in Entra: `az account get-access-token --resource` for a bearer token. */
export const AZURE_DEVOPS_RESOURCE = '499b84ac-1321-427f-aa17-267ca6975798';

/** The check types of "Approvals and checks" (the ids Azure DevOps and its Terraform provider use). */
export const CHECK_TYPES = {
  approval: { id: '8C6F20A7-A545-4486-9777-F762FAFE0D4D', name: 'Approval' },
  exclusiveLock: { id: '2EF31AD6-BAA0-403A-8B45-2CBC9B4E5563', name: 'ExclusiveLock' },
} as const;

/** The REST version of the endpoints the client has no method for (checks, identities). */
const CHECKS_API = '7.1-preview.1';
const IDENTITIES_API = '7.1';

/** A check configuration as `_apis/pipelines/checks/configurations` returns it. */
export interface CheckConfiguration {
  readonly id?: number;
  readonly type: { readonly id: string; readonly name: string };
  readonly settings: Record<string, unknown>;
  readonly resource: { readonly type: string; readonly id: string; readonly name?: string };
  readonly timeout: number;
}

/** An identity (user or group) as `_apis/identities` returns it. */
export interface Identity {
  readonly id: string;
  readonly providerDisplayName?: string;
  readonly isContainer?: boolean;
}

/**
 * Where an organisation's identities are served: `vssps.dev.azure.com/<org>` for
 * `dev.azure.com/<org>`, `<org>.vssps.visualstudio.com` for `<org>.visualstudio.com`, the
 * organisation's own URL otherwise (Azure DevOps Server).
 */
export function identitiesUrl(organization: string): string {
  const u = new URL(organization);
  if (u.hostname === 'dev.azure.com') return `https://vssps.dev.azure.com${u.pathname.replace(/\/$/, '')}`;
  const legacy = /^([^.]+)\.visualstudio\.com$/.exec(u.hostname);
  if (legacy) return `https://${legacy[1]}.vssps.visualstudio.com`;
  return organization.replace(/\/$/, '');
}

/**
 * The calls the bootstrap makes to Azure DevOps: the kept client (`azure-devops-node-api`)
 * where it has the endpoint, its `rest` client (same handlers, same token) where it has not.
 */
export class AzureDevOps {
  private readonly web: azdev.WebApi;
  private readonly org: string;

  constructor(organization: string, token: string) {
    this.org = organization.replace(/\/$/, '');
    this.web = new azdev.WebApi(this.org, azdev.getBearerHandler(token));
  }

  async project(name: string): Promise<{ id: string; name: string }> {
    // The client answers null for a project or repository it cannot find, whatever its types say.
    const p = (await (await this.web.getCoreApi()).getProject(name)) as { id?: string; name?: string } | null;
    if (!p?.id) throw new StepFailed(`project "${name}" not found in ${this.org}`);
    return { id: p.id, name: p.name ?? name };
  }

  async repository(project: string, name: string): Promise<{ id: string; name: string }> {
    const r = (await (await this.web.getGitApi()).getRepository(name, project)) as { id?: string; name?: string } | null;
    if (!r?.id) throw new StepFailed(`Azure Repos repository "${name}" not found in project ${project}`);
    return { id: r.id, name: r.name ?? name };
  }

  async serviceEndpoint(project: string, name: string): Promise<ServiceEndpoint | undefined> {
    const found = await (await this.web.getServiceEndpointApi()).getServiceEndpointsByNames(project, [name]);
    return found.find((e) => e.name === name);
  }

  async createServiceEndpoint(endpoint: ServiceEndpoint): Promise<ServiceEndpoint> {
    return (await this.web.getServiceEndpointApi()).createServiceEndpoint(endpoint);
  }

  async variableGroup(project: string, name: string): Promise<VariableGroup | undefined> {
    const found = await (await this.web.getTaskAgentApi()).getVariableGroups(project, name);
    return found.find((g) => g.name === name);
  }

  async addVariableGroup(group: VariableGroupParameters): Promise<VariableGroup> {
    return (await this.web.getTaskAgentApi()).addVariableGroup(group);
  }

  async environment(project: string, name: string): Promise<{ id: number; name: string } | undefined> {
    const found = await (await this.web.getTaskAgentApi()).getEnvironments(project, name);
    const e = found.find((x) => x.name === name);
    return e?.id === undefined ? undefined : { id: e.id, name };
  }

  async addEnvironment(project: string, name: string, description: string): Promise<{ id: number; name: string }> {
    const e = await (await this.web.getTaskAgentApi()).addEnvironment({ name, description }, project);
    if (e.id === undefined) throw new StepFailed(`Azure DevOps created environment "${name}" but returned no id`);
    return { id: e.id, name };
  }

  async checks(project: string, environmentId: number): Promise<CheckConfiguration[]> {
    const url =
      `${this.org}/${encodeURIComponent(project)}/_apis/pipelines/checks/configurations` +
      `?resourceType=environment&resourceId=${environmentId}&api-version=${CHECKS_API}`;
    const r = await this.web.rest.get<{ value?: CheckConfiguration[] }>(url);
    return r.result?.value ?? [];
  }

  async addCheck(project: string, check: CheckConfiguration): Promise<CheckConfiguration> {
    const url = `${this.org}/${encodeURIComponent(project)}/_apis/pipelines/checks/configurations?api-version=${CHECKS_API}`;
    const r = await this.web.rest.create<CheckConfiguration>(url, check);
    if (!r.result) throw new StepFailed(`Azure DevOps answered ${r.statusCode} to the ${check.type.name} check`);
    return r.result;
  }

  /** The identities (users or groups) whose name, e-mail or account matches `filter`. */
  async identities(filter: string): Promise<Identity[]> {
    const url =
      `${identitiesUrl(this.org)}/_apis/identities?searchFilter=General` +
      `&filterValue=${encodeURIComponent(filter)}&queryMembership=None&api-version=${IDENTITIES_API}`;
    const r = await this.web.rest.get<{ value?: Identity[] }>(url);
    return r.result?.value ?? [];
  }

  async pipeline(project: string, name: string): Promise<{ id: number; name: string } | undefined> {
    const all = await (await this.web.getPipelinesApi()).listPipelines(project);
    const p = all.find((x) => x.name === name && x.id !== undefined);
    return p ? { id: p.id!, name } : undefined;
  }

  async createPipeline(project: string, name: string, yamlPath: string, repository: { id: string; name: string }): Promise<{ id: number }> {
    // The REST API takes the configuration type by name; the client's interface types only `type`.
    const configuration = { type: 'yaml', path: yamlPath, repository: { id: repository.id, name: repository.name, type: 'azureReposGit' } };
    const p = await (
      await this.web.getPipelinesApi()
    ).createPipeline({ name, folder: '\\', configuration } as unknown as CreatePipelineParameters, project);
    if (p.id === undefined) throw new StepFailed(`Azure DevOps created pipeline "${name}" but returned no id`);
    return { id: p.id };
  }
}
