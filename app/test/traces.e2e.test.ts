import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppContract } from '../src/app-contract';
import { startFakeIngestion, type Envelope, type FakeIngestion } from './fake-ingestion';
import { startFakeManagedIdentity, startFakeVault, type FakeVault } from './fake-key-vault';
import { ROOT, runServerToExit, runServerToExitAsync, startServer } from './process-helpers';
import { selfSignedCertificate, type SelfSignedCertificate } from './self-signed-certificate';

// The real app in a child process, with the real Azure Monitor exporter sending to a local
// stand-in of the ingestion endpoint (Breeze, over https with a certificate the child trusts
// through NODE_EXTRA_CA_CERTS). What is asserted is what Application Insights would receive.

const IKEY = '00000000-0000-4000-8000-00000000a001';
/** A card number that passes the checksum, typed with spaces as people do. */
const CARD = '4242 4242 4242 4242';
/** Its digits with anything (or nothing) between the groups, raw or percent-encoded. */
const CARD_ANYHOW = /4242(?:\D|%[0-9a-f]{2}){0,6}4242(?:\D|%[0-9a-f]{2}){0,6}4242(?:\D|%[0-9a-f]{2}){0,6}4242/i;

const ORDER_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

interface LogLine {
  readonly msg?: string;
  readonly trace_id?: string;
  readonly span_id?: string;
  readonly req?: { readonly method?: string; readonly url?: string };
}

const logLines = (output: string[]): LogLine[] =>
  output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

const requests = (envelopes: Envelope[]) => envelopes.filter((e) => e.data?.baseType === 'RequestData');
const dependencies = (envelopes: Envelope[]) => envelopes.filter((e) => e.data?.baseType === 'RemoteDependencyData');
const operationId = (e: Envelope) => e.tags?.['ai.operation.id'];

/**
 * SIGTERM, and the exit code (or the signal that killed it). A request goes first: the app adds
 * its SIGTERM handler just after the ready line, and a signal before that kills it undrained.
 */
async function stop(app: { child: ChildProcess; url: string }): Promise<number | string | null> {
  await fetch(`${app.url}${AppContract.paths.liveness}`);
  const exited = new Promise<number | string | null>((resolve) => app.child.once('exit', (code, signal) => resolve(code ?? signal)));
  app.child.kill('SIGTERM');
  return exited;
}

/** Adds an order through the HTML form (with its CSRF token), as a person would. */
async function submitOrder(url: string, card: string): Promise<Response> {
  const form = await fetch(`${url}/orders/new`);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const cookie = form.headers.get('set-cookie')!.split(';')[0]!;
  const body = new URLSearchParams({
    _csrf: token,
    date_uuid: ORDER_ID,
    user_id: 'trace-user',
    card_number: card,
    store_code: 'S1',
    product_code: 'P1',
    product_quantity: '2',
    order_date: '2024-01-02',
    shipping_date: '2024-01-03',
  });
  return fetch(`${url}/orders`, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { cookie, origin: url, 'content-type': 'application/x-www-form-urlencoded' },
  });
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-traces-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('with APPLICATIONINSIGHTS_CONNECTION_STRING, an order submitted and listed', () => {
  let ingestion: FakeIngestion;
  let output: string[];
  let exitCode: number | string | null;
  const statuses: Record<string, number> = {};

  beforeAll(async () => {
    ingestion = await startFakeIngestion();
    const app = await startServer({
      SQLITE_PATH: path.join(dir, 'env.db'),
      SEED_DEMO_DATA: '3',
      [AppContract.env.appInsightsConnectionString]: ingestion.connectionString(IKEY),
      NODE_EXTRA_CA_CERTS: ingestion.caFile,
    });
    output = app.output;
    statuses.post = (await submitOrder(app.url, CARD)).status;
    statuses.list = (await fetch(`${app.url}/`)).status;
    statuses.read = (await fetch(`${app.url}/api/orders/${ORDER_ID}/trace-user`)).status;
    // A card number typed into a list filter: it travels in the query string.
    statuses.filtered = (await fetch(`${app.url}/?userId=${encodeURIComponent(CARD)}`)).status;
    for (const probe of Object.values(AppContract.paths)) await fetch(`${app.url}${probe}`);
    // The spans are batched: the shutdown sends what is left.
    exitCode = await stop(app);
  }, 60_000);
  afterAll(() => ingestion.close());

  test('the app behaves as without traces and exits cleanly', () => {
    expect(statuses).toEqual({ post: 303, list: 200, read: 200, filtered: 200 });
    expect(exitCode).toBe(0);
    expect(logLines(output).find((l) => l.msg?.startsWith('tracing on'))).toMatchObject({ source: 'environment', samplingPercent: 100 });
  });

  test('the POST and the lists arrive as requests named by route, with their status, under the key of the connection string', () => {
    const seen = requests(ingestion.envelopes).map((e) => [e.data!.baseData!.name, e.data!.baseData!.responseCode]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['GET /orders/new', '200'],
        ['POST /orders', '303'],
        ['GET /', '200'],
        // The route's pattern, not the path: one name for every order.
        ['GET /api/orders/:dateUuid/:userId', '200'],
      ]),
    );
    expect(seen.filter(([name]) => name === 'GET /')).toHaveLength(2);
    expect(new Set(ingestion.envelopes.map((e) => e.iKey ?? e.instrumentationKey))).toEqual(new Set([IKEY]));
    expect(ingestion.otherRequests).toEqual([]);
  });

  test('probes and /metrics are not traced', () => {
    const names = requests(ingestion.envelopes).map((e) => String(e.data!.baseData!.name));
    for (const probe of Object.values(AppContract.paths)) expect(names).not.toContain(`GET ${probe}`);
  });

  test("the order's INSERT is a SQL dependency inside the POST's operation, the list's SELECTs inside the GET's", () => {
    const post = requests(ingestion.envelopes).find((e) => e.data!.baseData!.name === 'POST /orders')!;
    const insert = dependencies(ingestion.envelopes).find((e) => e.data!.baseData!.name === 'INSERT orders')!;
    expect(insert.data!.baseData).toMatchObject({ type: 'SQL', data: 'INSERT', target: 'env.db', success: true });
    expect(operationId(insert)).toBe(operationId(post));
    expect(insert.tags!['ai.operation.parentId']).toBe(post.data!.baseData!.id);

    for (const list of requests(ingestion.envelopes).filter((e) => e.data!.baseData!.name === 'GET /')) {
      const selects = dependencies(ingestion.envelopes).filter((e) => operationId(e) === operationId(list));
      expect(selects.length).toBeGreaterThan(0);
      for (const s of selects) expect(s.data!.baseData).toMatchObject({ name: 'SELECT orders', type: 'SQL', data: 'SELECT' });
    }
  });

  test("every log line written during a request carries that request's trace id and a span id", () => {
    const byOperation = new Map(requests(ingestion.envelopes).map((e) => [`${e.data!.baseData!.name}`, operationId(e)]));
    const lines = logLines(output);
    const completed = lines.filter((l) => l.msg === 'request completed');
    expect(completed.length).toBeGreaterThanOrEqual(5);
    for (const line of completed) {
      expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(requests(ingestion.envelopes).map(operationId)).toContain(line.trace_id);
    }
    const created = lines.find((l) => l.msg === 'order created')!;
    expect(created.trace_id).toBe(byOperation.get('POST /orders'));
    expect(lines.find((l) => l.msg === 'request completed' && l.req?.method === 'POST')!.trace_id).toBe(byOperation.get('POST /orders'));
    // Lines outside any request carry none.
    expect(lines.find((l) => l.msg === 'order app ready')!.trace_id).toBeUndefined();
  });

  test('no envelope holds the card number, however it was typed; the filtered list keeps its query with the digits redacted', () => {
    expect(ingestion.rawBodies.length).toBeGreaterThan(0);
    for (const body of ingestion.rawBodies) expect(body).not.toMatch(CARD_ANYHOW);
    const urls = requests(ingestion.envelopes).map((e) => String(e.data!.baseData!.url));
    expect(urls).toContainEqual(expect.stringMatching(/\/\?userId=(\[redacted-digits\]|%5Bredacted-digits%5D)$/));
  });
});

describe('without traces configured, nothing is sent and the app works as before', () => {
  let ingestion: FakeIngestion;
  beforeAll(async () => {
    ingestion = await startFakeIngestion();
  });
  afterAll(() => ingestion.close());

  test.each([
    ['no connection string', {}],
    // The connection string points at the endpoint, so anything sent would be seen.
    ['TRACING=off with a connection string', { [AppContract.env.tracing]: 'off' }],
  ])(
    '%s',
    async (name, extra: Record<string, string>) => {
      const app = await startServer({
        SQLITE_PATH: path.join(dir, `${name.replace(/\W/g, '-')}.db`),
        SEED_DEMO_DATA: '0',
        NODE_EXTRA_CA_CERTS: ingestion.caFile,
        ...(Object.keys(extra).length ? { [AppContract.env.appInsightsConnectionString]: ingestion.connectionString(IKEY) } : {}),
        ...extra,
      });
      expect((await submitOrder(app.url, CARD)).status).toBe(303);
      expect((await fetch(`${app.url}/`)).status).toBe(200);
      expect(await stop(app)).toBe(0);
      const lines = logLines(app.output);
      expect(lines.find((l) => l.msg?.startsWith('tracing off'))).toBeDefined();
      expect(lines.filter((l) => l.trace_id !== undefined)).toEqual([]);
      expect(ingestion.rawBodies).toEqual([]);
      expect(ingestion.otherRequests).toEqual([]);
    },
    60_000,
  );
});

describe('with the connection string in Key Vault (read through the managed identity)', () => {
  const names = AppContract.secretNames;
  let tls: SelfSignedCertificate;
  let ingestion: FakeIngestion;
  let vault: FakeVault;
  let identity: Awaited<ReturnType<typeof startFakeManagedIdentity>>;

  beforeAll(async () => {
    tls = selfSignedCertificate(['vault.localhost']);
    ingestion = await startFakeIngestion({ tls });
    identity = await startFakeManagedIdentity();
  });
  afterAll(async () => {
    await ingestion.close();
    await identity.close();
    tls.remove();
  });
  afterEach(async () => (vault as FakeVault | undefined)?.close());

  /** The app with sign-in on and no SESSION_SECRET, so it also reads the session key from the vault once tracing is on. */
  const appEnv = (): Record<string, string> => ({
    SQLITE_PATH: path.join(dir, 'vault.db'),
    SEED_DEMO_DATA: '0',
    [AppContract.env.databaseDriver]: 'sqlite',
    [AppContract.env.keyVaultUrl]: vault.url,
    [AppContract.env.authMode]: 'oidc',
    [AppContract.env.oidcIssuerUrl]: 'http://localhost:9/',
    [AppContract.env.oidcClientId]: 'orders',
    [AppContract.env.oidcRedirectUri]: `http://localhost:9${AppContract.auth.callback}`,
    NODE_EXTRA_CA_CERTS: tls.certFile,
    ...identity.env,
  });
  const nodeArgs = ['--require', path.join(ROOT, 'app/test/fixtures/localhost-subdomains.cjs'), '--import', 'tsx'];

  test("traces are on, and the later Key Vault reads are dependencies the vault saw with the trace's traceparent", async () => {
    vault = await startFakeVault({ [names.appInsightsConnectionString]: ingestion.connectionString(IKEY), [names.sessionKey]: 'k'.repeat(64) }, [], {
      host: 'vault.localhost',
      tls,
    });
    const app = await startServer(appEnv(), path.join(ROOT, 'app/src/server.ts'), nodeArgs);
    expect(await stop(app)).toBe(0);
    expect(logLines(app.output).find((l) => l.msg?.startsWith('tracing on'))).toMatchObject({ source: 'key-vault' });

    const getSecret = dependencies(ingestion.envelopes).find((e) => e.data!.baseData!.name === 'SecretClient.getSecret')!;
    expect(getSecret.data!.baseData).toMatchObject({ type: 'InProc | Microsoft.KeyVault', success: true });
    const calls = dependencies(ingestion.envelopes).filter(
      (e) => operationId(e) === operationId(getSecret) && e.data!.baseData!.name === `GET /secrets/${names.sessionKey}/`,
    );
    expect(calls.map((e) => e.data!.baseData!.resultCode)).toContain('200');
    for (const call of calls) expect(call.data!.baseData).toMatchObject({ type: 'Http', target: expect.stringContaining('vault.localhost') });
    // Propagated: the vault was asked with the same trace id.
    const sessionKeyReads = vault.requests.filter((r) => r.path === `/secrets/${names.sessionKey}/`);
    expect(sessionKeyReads.map((r) => r.traceparent?.split('-')[1])).toEqual(sessionKeyReads.map(() => operationId(getSecret)));
    // The connection string itself is read before tracing starts.
    expect(vault.requests.filter((r) => r.path === `/secrets/${names.appInsightsConnectionString}/` && r.traceparent)).toEqual([]);
  }, 60_000);

  test('no connection string in the vault: no traces, and the app starts', async () => {
    vault = await startFakeVault({ [names.sessionKey]: 'k'.repeat(64) }, [], { host: 'vault.localhost', tls });
    const before = ingestion.rawBodies.length;
    const app = await startServer(appEnv(), path.join(ROOT, 'app/src/server.ts'), nodeArgs);
    expect(await stop(app)).toBe(0);
    expect(logLines(app.output).find((l) => l.msg?.startsWith('tracing off'))?.msg).toContain(`"${names.appInsightsConnectionString}" in Key Vault`);
    expect(ingestion.rawBodies.length).toBe(before);
  }, 60_000);

  test('a malformed connection string in the vault stops the start with one sentence naming the secret, never its value', async () => {
    vault = await startFakeVault({ [names.appInsightsConnectionString]: 'InstrumentationKey=not-a-guid;IngestionEndpoint=https://x/' }, [], {
      host: 'vault.localhost',
      tls,
    });
    const run = await runServerToExitAsync(appEnv(), nodeArgs);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      `Could not start: Key Vault secret "${names.appInsightsConnectionString}" in ${vault.url} ` +
        'is not an Application Insights connection string: its InstrumentationKey is not a lower-case GUID.',
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain('not-a-guid');
  }, 60_000);
});

test('a malformed APPLICATIONINSIGHTS_CONNECTION_STRING stops the start with exit 78, naming the setting and not the value', () => {
  const run = runServerToExit({
    SQLITE_PATH: path.join(dir, 'bad.db'),
    [AppContract.env.appInsightsConnectionString]: 'InstrumentationKey=secret-ish',
  });
  expect(run.status).toBe(78);
  expect(run.stderr).toContain('Configuration error: APPLICATIONINSIGHTS_CONNECTION_STRING must be an Application Insights connection string');
  expect(run.stderr).toContain('its InstrumentationKey is not a lower-case GUID (value not shown: it is a secret).');
  expect(run.stderr).not.toContain('secret-ish');
}, 30_000);
