import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { makeTestApp, validOrder } from '../../app/test/helpers';
import { loadQueries, loadQuery, renderQuery } from '../kql-queries';
import { kqlErrors } from './kusto';

const queries = loadQueries();

test.each(queries.map((q) => [q.id, q] as const))('%s parses and names only known tables, columns and functions', (_id, q) => {
  expect(kqlErrors(q.text)).toEqual([]);
});

test('the analyzer rejects a syntax error, an unknown column and an unknown table', () => {
  expect(kqlErrors('Perf | where | summarize count()')).toEqual([expect.stringMatching(/line 1: .*[Ee]xpected|Missing expression/)]);
  expect(kqlErrors('Perf\n| where CounterNme == "x"')[0]).toMatch(/line 2: The name 'CounterNme' does not refer to any known column/);
  expect(kqlErrors('ContainerLog | take 1')[0]).toMatch(/ContainerLog' does not refer to any known table/);
});

test('a syntax error in a .kql file fails the check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kql-'));
  try {
    mkdirSync(join(dir, 'cluster'));
    writeFileSync(join(dir, 'cluster', 'broken.kql'), '// Broken\nKubeEvents\n| summarize count() by\n');
    const [broken] = loadQueries(dir);
    expect(kqlErrors(broken!.text)).toEqual([expect.stringMatching(/^line 3: /)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("has the seed's five Log Analytics queries", () => {
  const titles = queries.filter((q) => q.group === 'cluster').map((q) => q.title);
  expect(titles).toEqual(
    expect.arrayContaining([
      'Average node CPU usage % per minute',
      'Average node memory usage % per minute',
      'Pod counts by phase',
      'Warnings in container logs',
      'Kubernetes events',
    ]),
  );
});

test("has the app's own queries: requests by status, slowest routes, orders created per hour", () => {
  expect(
    queries
      .filter((q) => q.group === 'app')
      .map((q) => q.id)
      .sort(),
  ).toEqual(['app/orders-created-per-hour', 'app/requests-by-status', 'app/slowest-routes']);
});

test('the per-minute node queries bin by one minute and compare usage with capacity', () => {
  for (const id of ['cluster/node-cpu-percent-per-minute', 'cluster/node-memory-percent-per-minute']) {
    const text = loadQuery(id).text;
    expect(text).toContain('bin(TimeGenerated, 1m)');
    expect(text).toMatch(/Capacity/);
  }
});

test('app queries are filled in with the namespace and container name from AppContract', () => {
  const text = loadQuery('app/requests-by-status').text;
  expect(text).toContain("PodNamespace == 'orders' and ContainerName == 'order-app'");
  expect(text).not.toContain('{{');
});

test('an unknown placeholder is an error naming the file', () => {
  expect(() => renderQuery("KubeEvents | where Namespace == '{{namespce}}'", 'x.kql')).toThrow(
    'x.kql: unknown placeholder {{namespce}}; known: namespace, appName',
  );
});

test('no query contains Terraform interpolation syntax (it would be evaluated at plan time)', () => {
  for (const q of queries) expect(q.text).not.toMatch(/[$%]\{/);
});

test("every field the app queries read from the app's JSON logs is one the app writes", async () => {
  const t = await makeTestApp();
  await request(t.app).post('/api/orders').send(validOrder()).expect(201);
  await request(t.app).get('/').expect(200);
  await request(t.app).get('/api/orders/nope/nope').expect(404);
  const lines = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  const has = (path: string) =>
    lines.some(
      (line) =>
        path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), line) !== undefined,
    );
  const paths = new Set(queries.filter((q) => q.group !== 'cluster').flatMap((q) => [...q.text.matchAll(/LogMessage\.([\w.]+)/g)].map((m) => m[1]!)));
  expect([...paths].sort()).toEqual(['event', 'msg', 'req.method', 'req.url', 'res.statusCode', 'responseTime', 'storeCode']);
  for (const path of paths) expect({ path, written: has(path) }).toEqual({ path, written: true });
  expect(lines.some((l) => l.msg === 'request completed')).toBe(true);
  expect(lines.find((l) => l.event === 'order_created')).toMatchObject({ msg: 'order created', storeCode: validOrder().storeCode });
  expect(t.logs.join('\n')).not.toContain(validOrder().cardNumber);
});
