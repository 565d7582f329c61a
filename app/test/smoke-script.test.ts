import { execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ROOT, startServer } from './process-helpers';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function smoke(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, ['app/scripts/smoke.ts', ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A stand-in server; `handler` decides what each route answers. */
async function fakeApp(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const LIST_PAGE = '<!doctype html><h1>Order List</h1><p>no orders</p>';

describe('against the app started locally', () => {
  let dir: string;
  let app: { child: ChildProcess; url: string };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'smoke-'));
    app = await startServer({ SQLITE_PATH: path.join(dir, 'orders.db'), SEED_DEMO_DATA: '50' });
  });
  afterAll(() => {
    app.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('passes every check, reports each, and the order it created is stored', async () => {
    const r = await smoke(['--url', app.url]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^(PASS|FAIL|SKIP) /.test(l));
    expect(lines).toHaveLength(7);
    expect(lines.every((l) => l.startsWith('PASS'))).toBe(true);
    expect(r.stdout).toContain('smoke: all 7 checks passed');
    expect(r.stdout).toMatch(/card shown as \*+[ *]*1111/);
    const db = new Database(path.join(dir, 'orders.db'), { readonly: true });
    const row = db.prepare("SELECT [Store Code] AS store FROM orders WHERE [User ID] LIKE 'smoke-%'").get() as { store: string } | undefined;
    db.close();
    expect(row?.store).toBe('SMOKE-1');
  });

  test('reaches a ClusterIP Service through kubectl port-forward', async () => {
    const bin = path.join(dir, 'kubectl');
    const argsFile = path.join(dir, 'kubectl-args');
    const port = new URL(app.url).port;
    // A stand-in for kubectl: records its arguments, then "forwards" to the local app.
    writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$*" > ${argsFile}\necho "Forwarding from 127.0.0.1:${port} -> 5000"\nexec sleep 60\n`);
    chmodSync(bin, 0o755);
    const r = await smoke(['--port-forward', 'orders/order-app', '--kubectl', bin]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(port-forward to orders/order-app)');
    expect(readFileSync(argsFile, 'utf8').trim()).toBe('-n orders port-forward svc/order-app :http');
  });
});

test('fails when creating an order fails, and skips the checks after it', async () => {
  const fake = await fakeApp((req, res) => {
    if (req.method === 'POST') return void res.writeHead(500).end('{"title":"boom"}');
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LIST_PAGE);
    res.writeHead(200).end('ok');
  });
  try {
    const r = await smoke(['--url', fake.url]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}create: POST \/api\/orders answers 201 with a Location .*expected 201, got 500/);
    expect(r.stdout.match(/^SKIP /gm)).toHaveLength(3);
    expect(r.stdout).toContain('smoke: FAILED (3 of 7 checks passed)');
  } finally {
    await fake.close();
  }
});

test('fails when the list page shows an unmasked card number', async () => {
  const fake = await fakeApp((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(`${LIST_PAGE}<td>4111111111111111</td>`);
    res.writeHead(200).end('ok');
  });
  try {
    const r = await smoke(['--url', fake.url]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('looks like an unmasked card number');
  } finally {
    await fake.close();
  }
});

test('fails connectivity when nothing answers within the ready timeout', async () => {
  const fake = await fakeApp(() => undefined);
  const { url } = fake;
  await fake.close();
  const r = await smoke(['--url', url, '--ready-timeout', '1']);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/FAIL {2}connectivity: \/readyz answers 200 .*not ready within 1 s \(last: .*ECONNREFUSED/);
});

test('waits while /readyz says 503, then passes connectivity', async () => {
  let calls = 0;
  const fake = await fakeApp((req, res) => {
    if (req.url === '/readyz') return void res.writeHead(++calls < 3 ? 503 : 200).end();
    res.writeHead(404).end();
  });
  try {
    const r = await smoke(['--url', fake.url, '--ready-timeout', '20']);
    expect(r.stdout).toMatch(/PASS {2}connectivity: \/readyz answers 200 .*ready after 3 attempts/);
    expect(r.code).toBe(1);
  } finally {
    await fake.close();
  }
});

test.each([
  [[], 'Give exactly one of --url <base> or --port-forward <namespace>/<service>.'],
  [['--url', 'ftp://x'], '--url must use http or https'],
  [['--url', 'not a url'], '--url must be an http(s) URL'],
  [['--port-forward', 'order-app'], '--port-forward must be <namespace>/<service>'],
  [['--url', 'http://x', '--ready-timeout', 'soon'], '--ready-timeout must be a whole number from 0 to 3600'],
])('bad arguments %p exit 2 with a message', async (args, message) => {
  const r = await smoke(args);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(message);
});
