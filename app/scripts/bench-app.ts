/**
 * Load-tests the order app on 1,000,000 orders beside a bare node:http server that returns
 * a page of the same size, in one run, so the ratio holds on a noisy machine.
 *   npm run bench:app [-- --count 1000000 --duration 10 --connections 10]
 * The seeded database is kept in bench-results/ and reused by later runs of the same count.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { demoOrders } from '../src/domain/demo-orders';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { parseArgs, wholeNumber } from './cli-args';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'bench-results');

interface Row {
  readonly name: string;
  readonly path: string;
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly bytes: number;
}

async function load(name: string, url: string, duration: number, connections: number): Promise<Row> {
  const r = await autocannon({ url, duration, connections, pipelining: 1 });
  return {
    name,
    path: new URL(url).pathname + new URL(url).search,
    reqPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    bytes: Math.round(r.throughput.average / Math.max(r.requests.average, 1)),
  };
}

const references: ChildProcess[] = [];

/** Starts `code` (which must define `server`) in its own Node process; resolves with its URL. */
function startReference(code: string, pageFile: string): Promise<string> {
  const child = spawn(process.execPath, ['-e', `${code}\nserver.listen(0, '127.0.0.1', () => console.log(server.address().port));`], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, PAGE_FILE: pageFile, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  references.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(`http://127.0.0.1:${d.toString().trim()}/`));
    child.once('exit', (code) => reject(new Error(`reference server exited with ${code}`)));
  });
}

async function ensureDatabase(file: string, count: number): Promise<void> {
  const marker = `${file}.count`;
  if (fs.existsSync(file) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === String(count)) return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const store = new SqliteOrderStore({ file });
  await store.migrate();
  const started = performance.now();
  process.stderr.write(`seeding ${count.toLocaleString('en-GB')} orders...\n`);
  await store.bulkLoad(demoOrders(count, { seed: 1 }));
  await store.close();
  process.stderr.write(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  fs.writeFileSync(marker, String(count));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { count: 'orders', duration: 'seconds per scenario', connections: 'concurrent connections' });
  const count = wholeNumber('count', args.count, 100, 10_000_000, 1_000_000);
  const duration = wholeNumber('duration', args.duration, 1, 120, 10);
  const connections = wholeNumber('connections', args.connections, 1, 256, 10);
  fs.mkdirSync(OUT, { recursive: true });
  const dbFile = path.join(OUT, `bench-${count}.db`);
  await ensureDatabase(dbFile, count);

  // Run what production runs: the compiled app.
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-bench-'));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(build, 'app')], { cwd: ROOT });
  fs.cpSync(path.join(ROOT, 'app/public'), path.join(build, 'public'), { recursive: true });
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [path.join(build, 'app/server.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, NODE_ENV: 'production', DATABASE_DRIVER: 'sqlite', SQLITE_PATH: dbFile, PORT: '0', LOG_LEVEL: 'info', NODE_PATH: path.join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const m = /"url":"([^"]+)"[^\n]*"msg":"order app ready"/.exec(buffered);
      if (m) resolve(m[1]!);
      if (buffered.length > 100_000) buffered = buffered.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`app exited with ${code}`)));
  });
  // Request logs are written as in production, then discarded.
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  let readyMs = 0;
  for (;;) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.status === 200) {
      readyMs = performance.now() - spawnedAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }

  const last = Math.ceil(count / 25);
  const anyStore = (await (await fetch(`${url}/api/orders?size=1`)).json()) as { items: { storeCode: string }[] };
  const scenarios: [string, string][] = [
    ['GET / page 1', '/'],
    ['GET / middle page', `/?page=${Math.floor(last / 2)}`],
    ['GET / last page', `/?page=${last}`],
    ['GET / filtered (store)', `/?storeCode=${encodeURIComponent(anyStore.items[0]!.storeCode)}&page=2`],
    ['GET / sorted by product, middle page', `/?sort=productCode&dir=asc&page=${Math.floor(last / 2)}`],
    ['GET /api/orders', '/api/orders?page=100'],
  ];
  // The first request per (filter, sort) builds its page index: measure that once, cold.
  const cold: { name: string; ms: number }[] = [];
  for (const [name, p] of scenarios) {
    const t = performance.now();
    const res = await fetch(`${url}${p}`);
    await res.arrayBuffer();
    cold.push({ name, ms: Math.round((performance.now() - t) * 10) / 10 });
    if (res.status !== 200) throw new Error(`${p} answered ${res.status}`);
  }

  // Reference servers, each in its own process like the app, returning page 1's exact bytes:
  // bare node:http (the target's yardstick) and a bare Express 5 route (the framework's ceiling).
  const pageFile = path.join(build, 'page-1.html');
  fs.writeFileSync(pageFile, Buffer.from(await (await fetch(`${url}/`)).arrayBuffer()));
  const bareUrl = await startReference(`
    const body = require('fs').readFileSync(process.env.PAGE_FILE);
    const server = require('http').createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
    });`, pageFile);
  const expressUrl = await startReference(`
    const body = require('fs').readFileSync(process.env.PAGE_FILE);
    const app = require('express')();
    app.get('/', (req, res) => res.type('html').send(body));
    const server = require('http').createServer(app);`, pageFile);

  const rows: Row[] = [];
  rows.push(await load('bare node:http, same bytes as page 1', bareUrl, duration, connections));
  rows.push(await load('bare Express 5 route, same bytes', expressUrl, duration, connections));
  for (const [name, p] of scenarios) rows.push(await load(name, `${url}${p}`, duration, connections));
  for (const child of references) child.kill('SIGTERM');
  child.kill('SIGTERM');
  fs.rmSync(build, { recursive: true, force: true });

  const bareRps = rows[0]!.reqPerSec;
  const table = [
    '| scenario | path | req/s | p50 ms | p99 ms | vs bare | non-2xx | errors | bytes/resp |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | \`${r.path}\` | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${(r.reqPerSec / bareRps).toFixed(2)} | ${r.non2xx} | ${r.errors} | ${r.bytes} |`),
  ].join('\n');
  const summary = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    orders: count,
    duration,
    connections,
    readyMs: Math.round(readyMs),
    coldFirstRequestMs: cold,
    rows,
  };
  fs.writeFileSync(path.join(OUT, 'app.json'), JSON.stringify(summary, null, 2));
  process.stdout.write(`\n${summary.machine}; ${count.toLocaleString('en-GB')} orders; ${connections} connections, ${duration} s per scenario\n`);
  process.stdout.write(`ready (spawn to /readyz 200): ${summary.readyMs} ms\n`);
  process.stdout.write(`cold first request per page index: ${cold.map((c) => `${c.name} ${c.ms} ms`).join('; ')}\n\n${table}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:app: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
