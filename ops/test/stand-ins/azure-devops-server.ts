import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received. */
export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly auth: string;
  readonly body: string;
}

/**
 * The resource locations the client discovers with `OPTIONS _apis/<area>` before each call
 * (VsoClient.getVersioningData): the ids are the client's own (azure-devops-node-api 17.0.1's
 * CoreApi, GitApi, ServiceEndpointApiBase, TaskAgentApiBase, PipelinesApi, LocationsApi), the
 * route templates Azure DevOps's.
 */
export const LOCATIONS: Record<string, { id: string; resourceName: string; routeTemplate: string }[]> = {
  Location: [{ id: 'e81700f7-3be2-46de-8624-2eb35882fcaa', resourceName: 'ResourceAreas', routeTemplate: '_apis/resourceAreas/{areaId}' }],
  core: [{ id: '603fe2ac-9723-48b9-88ad-09305aa6c6e1', resourceName: 'projects', routeTemplate: '_apis/projects/{projectId}' }],
  git: [
    { id: '225f7195-f9c7-4d14-ab28-a83f7ff77e1f', resourceName: 'repositories', routeTemplate: '{project}/_apis/git/repositories/{repositoryId}' },
  ],
  serviceendpoint: [
    {
      id: 'e85f1c62-adfc-4b74-b618-11a150fb195e',
      resourceName: 'endpoints',
      routeTemplate: '{project}/_apis/serviceendpoint/endpoints/{endpointId}',
    },
    { id: '14e48fdc-2c8b-41ce-a0c3-e26f6cc55bd0', resourceName: 'endpoints', routeTemplate: '_apis/serviceendpoint/endpoints/{endpointId}' },
  ],
  distributedtask: [
    {
      id: 'f5b09dd5-9d54-45a1-8b5a-1c8287d634cc',
      resourceName: 'variablegroups',
      routeTemplate: '{project}/_apis/distributedtask/variablegroups/{groupId}',
    },
    { id: 'ef5b7057-ffc3-4c77-bbad-c10b4a4abcc7', resourceName: 'variablegroups', routeTemplate: '_apis/distributedtask/variablegroups/{groupId}' },
    {
      id: '8572b1fc-2482-47fa-8f74-7e3ed53ee54b',
      resourceName: 'environments',
      routeTemplate: '{project}/_apis/distributedtask/environments/{environmentId}',
    },
  ],
  pipelines: [{ id: '28e1305e-2afe-47bf-abaf-cbb0e6a91988', resourceName: 'pipelines', routeTemplate: '{project}/_apis/pipelines/{pipelineId}' }],
};

/** What the pretend organisation holds. */
export interface AdoState {
  project: { id: string; name: string };
  repository: { id: string; name: string };
  identities: { id: string; providerDisplayName: string; filter: string }[];
  endpoints: any[];
  variableGroups: any[];
  environments: { id: number; name: string }[];
  checks: any[];
  pipelines: { id: number; name: string; configuration: unknown }[];
  /** The issuer and subject the service connection reports once created. */
  federation: { issuer: string; subject: string };
}

/**
 * A stand-in Azure DevOps organisation at `<url>` (node:http): answers the client's location
 * discovery and the calls the bootstrap makes, keeps state, records every request, and answers
 * 500 to any request whose `METHOD path` contains `failOn`.
 */
export class AzureDevOpsStandIn {
  readonly requests: Recorded[] = [];
  failOn = '';
  state: AdoState = {
    project: { id: 'proj-0001', name: 'Orders' },
    repository: { id: 'repo-0001', name: 'order-platform' },
    identities: [{ id: 'ident-approvers', providerDisplayName: '[Orders]\\Approvers', filter: '[Orders]\\Approvers' }],
    endpoints: [],
    variableGroups: [],
    environments: [],
    checks: [],
    pipelines: [],
    federation: { issuer: 'https://login.microsoftonline.com/tenant-0001/v2.0', subject: 'sc://contoso/Orders/order-platform-azure-7f3a' },
  };
  private server?: Server;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.receive(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/contoso`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://stand-in');
      const path = decodeURIComponent(u.pathname);
      this.requests.push({ method: req.method ?? '', path: `${path}${u.search}`, auth: req.headers.authorization ?? '', body });
      const send = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(value === undefined ? '' : JSON.stringify(value));
      };
      if (this.failOn && `${req.method} ${path}`.includes(this.failOn)) return send(500, { message: `stand-in: failed on purpose (${this.failOn})` });
      try {
        const [status, value] = this.answer(req.method ?? '', path, u.searchParams, body ? JSON.parse(body) : undefined);
        send(status, value);
      } catch (err) {
        send(500, { message: (err as Error).message });
      }
    });
  }

  private answer(method: string, path: string, q: URLSearchParams, body: any): [number, unknown] {
    const s = this.state;
    const list = (value: unknown[]): [number, unknown] => [200, { count: value.length, value }];
    const p = path.replace(/^\/contoso/, '');
    const area = /^\/_apis\/([^/]+)$/.exec(p);
    if (method === 'OPTIONS' && area) {
      const value = (LOCATIONS[area[1]!] ?? []).map((l) => ({
        ...l,
        area: area[1],
        minVersion: '1.0',
        maxVersion: '7.2',
        releasedVersion: '7.1',
        resourceVersion: 1,
      }));
      return list(value);
    }
    const project = `/${s.project.name}`;
    if (method === 'GET' && p === '/_apis/resourceAreas') return list([]);
    if (method === 'GET' && (p === `/_apis/projects/${s.project.name}` || p === `/_apis/projects/${s.project.id}`)) return [200, s.project];
    if (method === 'GET' && p.startsWith(`${project}/_apis/git/repositories/`))
      return p.endsWith(`/${s.repository.name}`) ? [200, s.repository] : [404, { message: 'no such repository' }];
    if (method === 'GET' && p === `${project}/_apis/serviceendpoint/endpoints`)
      return list(s.endpoints.filter((e) => (q.get('endpointNames') ?? '').split(',').includes(e.name)));
    if (method === 'POST' && p === '/_apis/serviceendpoint/endpoints') {
      const e = { ...body, id: `endpoint-${s.endpoints.length + 1}` };
      e.authorization.parameters = {
        ...e.authorization.parameters,
        workloadIdentityFederationIssuer: s.federation.issuer,
        workloadIdentityFederationSubject: s.federation.subject,
      };
      s.endpoints.push(e);
      return [200, e];
    }
    if (method === 'GET' && p === `${project}/_apis/distributedtask/variablegroups`) {
      // Secret values never come back, as in Azure DevOps.
      const hide = (g: any) => ({
        ...g,
        variables: Object.fromEntries(
          Object.entries(g.variables).map(([k, v]: [string, any]) => [k, v.isSecret ? { isSecret: true, value: null } : v]),
        ),
      });
      return list(s.variableGroups.filter((g) => g.name === q.get('groupName')).map(hide));
    }
    if (method === 'POST' && p === '/_apis/distributedtask/variablegroups') {
      s.variableGroups.push({ ...body, id: s.variableGroups.length + 1 });
      return [200, { ...body, id: s.variableGroups.length }];
    }
    if (method === 'GET' && p === `${project}/_apis/distributedtask/environments`)
      return list(s.environments.filter((e) => e.name === q.get('name')));
    if (method === 'POST' && p === `${project}/_apis/distributedtask/environments`) {
      const e = { id: s.environments.length + 1, name: body.name };
      s.environments.push(e);
      return [200, e];
    }
    if (method === 'GET' && p === `${project}/_apis/pipelines/checks/configurations`)
      return list(s.checks.filter((k) => k.resource.type === q.get('resourceType') && k.resource.id === q.get('resourceId')));
    if (method === 'POST' && p === `${project}/_apis/pipelines/checks/configurations`) {
      const k = { ...body, id: s.checks.length + 1 };
      s.checks.push(k);
      return [200, k];
    }
    if (method === 'GET' && p === '/_apis/identities') return list(s.identities.filter((i) => i.filter === q.get('filterValue')));
    if (method === 'GET' && p === `${project}/_apis/pipelines`) return list(s.pipelines);
    if (method === 'POST' && p === `${project}/_apis/pipelines`) {
      const made = { id: s.pipelines.length + 1, name: body.name, configuration: body.configuration };
      s.pipelines.push(made);
      return [200, made];
    }
    return [404, { message: `stand-in: no route for ${method} ${path}` }];
  }
}
