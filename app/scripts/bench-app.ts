/**
 * Load-tests the order app on 1,000,000 orders beside a bare node:http server that returns
 * a page of the same size, in one run, so the ratio holds on a noisy machine.
 *   npm run bench:app [-- --count 1000000 --duration 10 --connections 10]
 * The seeded database is kept in bench-results/ and reused by later runs of the same count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import crypto from 'node:crypto';
import { createRandom, demoOrders } from '../src/domain/demo-orders';
import { compileApp, ensureDatabase, OUT, ROOT, startApp } from './bench-helpers';
import { parseArgs, wholeNumber } from '../../lib/cli-args';

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

/** The middle value (the upper one of an even count). */
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    count: 'orders',
    duration: 'seconds per scenario',
    connections: 'concurrent connections',
    rounds: 'interleaved rounds the duration is split into (default 5)',
  });
  const count = wholeNumber('count', args.count, 100, 10_000_000, 1_000_000);
  const duration = wholeNumber('duration', args.duration, 1, 120, 10);
  const connections = wholeNumber('connections', args.connections, 1, 256, 10);
  const rounds = wholeNumber('rounds', args.rounds, 1, 20, 5);
  fs.mkdirSync(OUT, { recursive: true });
  const dbFile = path.join(OUT, `bench-${count}.db`);
  await ensureDatabase(dbFile, count);
  // Read the file once so every scenario finds it in the OS page cache, as a server with the
  // RAM for its database would: otherwise the first scenario to touch an index region pays
  // for disk reads (250 ms "unseen filters" on a file evicted by other work, 3 ms warm).
  const warmStart = performance.now();
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  for (const suffix of ['', '-wal']) {
    if (!fs.existsSync(dbFile + suffix)) continue;
    const fd = fs.openSync(dbFile + suffix, 'r');
    while (fs.readSync(fd, chunk, 0, chunk.length, null) > 0);
    fs.closeSync(fd);
  }
  const warmMs = Math.round(performance.now() - warmStart);

  // Run what production runs: the compiled app.
  const build = compileApp();
  // The write scenarios post 10 orders a second from one address: above the default limit.
  const { child, url, readyMs } = await startApp(build, dbFile, { WRITE_RATE_LIMIT_PER_MINUTE: '100000' });

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
  const bareUrl = await startReference(
    `
    const body = require('fs').readFileSync(process.env.PAGE_FILE);
    const server = require('http').createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
    });`,
    pageFile,
  );
  const expressUrl = await startReference(
    `
    const body = require('fs').readFileSync(process.env.PAGE_FILE);
    const app = require('express')();
    app.get('/', (req, res) => res.type('html').send(body));
    const server = require('http').createServer(app);`,
    pageFile,
  );

  // Interleaved rounds: every server gets `rounds` short windows in turn, so a slow minute of
  // a shared machine lands on all of them alike; each figure is the median over the rounds.
  const targets: [string, string][] = [
    ['bare node:http, same bytes as page 1', bareUrl],
    ['bare Express 5 route, same bytes', expressUrl],
    ...scenarios.map(([name, p]): [string, string] => [name, `${url}${p}`]),
  ];
  const perRound: Row[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round++)
    for (const [i, [name, target]] of targets.entries()) perRound[i]!.push(await load(name, target, duration / rounds, connections));
  const rows: Row[] = perRound.map((runs) => ({
    ...runs[0]!,
    reqPerSec: median(runs.map((r) => r.reqPerSec)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  }));
  // Page 1 against the Express route, round by round: the spread the median hides.
  const page1Ratios = perRound[2]!.map((r, i) => r.reqPerSec / perRound[1]![i]!.reqPerSec);

  // Reads of a middle page while orders are written through the JSON API at a steady rate.
  const middle = `/?page=${Math.floor(last / 2)}`;
  const rates = [0, 2, 10];
  const writeRounds = rates.map(() => [] as { row: Row; written: number; failed: number }[]);
  for (let round = 0; round < rounds; round++)
    for (const [i, rate] of rates.entries()) {
      const writer = steadyWriter(url, rate);
      const row = await load(`GET / middle page, ${rate} writes/s`, `${url}${middle}`, duration / rounds, connections);
      writeRounds[i]!.push({ row, ...(await writer.stop()) });
    }
  const writeRuns = rates.map((rate, i) => {
    const runs = writeRounds[i]!;
    return {
      rate,
      row: {
        ...runs[0]!.row,
        reqPerSec: median(runs.map((r) => r.row.reqPerSec)),
        p99: median(runs.map((r) => r.row.p99)),
        p50: median(runs.map((r) => r.row.p50)),
        non2xx: runs.reduce((n, r) => n + r.row.non2xx, 0),
      },
      written: runs.reduce((n, r) => n + r.written, 0),
      failed: runs.reduce((n, r) => n + r.failed, 0),
    };
  });

  // Filters never seen before: date ranges under the default sort and four others, pages 1 and 2.
  const unseen = await unseenFilters(url);
  // Case-insensitive prefixes of a real order's codes (lower case, as a clerk types them), under the five sorts.
  const sample = (await (await fetch(`${url}/api/orders?size=1&page=7`)).json()) as {
    items: { storeCode: string; userId: string; productCode: string }[];
  };
  const prefixes = await prefixFilters(url, sample.items[0]!);
  // Memory after one filter, then after 5,000 distinct ones.
  const rssAfterOne = rssMb(child.pid!);
  await distinctFilters(url, 5000);
  const rssAfter5000 = rssMb(child.pid!);

  for (const c of references) c.kill('SIGTERM');
  child.kill('SIGTERM');
  fs.rmSync(build, { recursive: true, force: true });

  const bareRps = rows[0]!.reqPerSec;
  const expressRps = rows[1]!.reqPerSec;
  const page1Rps = rows[2]!.reqPerSec;
  const table = [
    '| scenario | path | req/s | p50 ms | p99 ms | vs bare | vs bare Express | vs page 1 | non-2xx | errors | bytes/resp |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | \`${r.path}\` | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ` +
        `${(r.reqPerSec / bareRps).toFixed(2)} | ${(r.reqPerSec / expressRps).toFixed(2)} | ` +
        `${(r.reqPerSec / page1Rps).toFixed(2)} | ${r.non2xx} | ${r.errors} | ${r.bytes} |`,
    ),
  ].join('\n');
  const readsOnly = writeRuns[0]!.row;
  const writeTable = [
    '| load | req/s | p50 ms | p99 ms | req/s vs reads only | p99 vs reads only | orders written | failed writes | non-2xx reads |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...writeRuns.map(
      (w) =>
        `| \`GET ${middle}\`, ${w.rate} writes/s | ${w.row.reqPerSec} | ${w.row.p50} | ${w.row.p99} | ` +
        `${(w.row.reqPerSec / readsOnly.reqPerSec).toFixed(2)} | ${(w.row.p99 / Math.max(readsOnly.p99, 1)).toFixed(2)} | ` +
        `${w.written} | ${w.failed} | ${w.row.non2xx} |`,
    ),
  ].join('\n');
  const ratioLine =
    `page 1 / bare Express route, per round: ${page1Ratios.map((r) => r.toFixed(2)).join(', ')} ` +
    `(median ${median(page1Ratios).toFixed(2)}; rounds of ${duration / rounds} s, interleaved)`;
  const spread = (what: string, xs: { ms: number }[]): string => {
    const sorted = xs.map((u) => u.ms).sort((a, b) => a - b);
    const mid = sorted[Math.floor(sorted.length / 2)]!;
    return `${what} (${xs.length}): median ${mid.toFixed(1)} ms, worst ${sorted[sorted.length - 1]!.toFixed(1)} ms`;
  };
  const unseenLine = spread('filters never seen before', unseen);
  const prefixLine = spread('prefix filters never seen before', prefixes);
  const summary = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    orders: count,
    duration,
    connections,
    readyMs: Math.round(readyMs),
    coldFirstRequestMs: cold,
    rounds,
    rows,
    page1VsExpressPerRound: page1Ratios,
    writeRuns,
    unseen,
    prefixes,
    rssMb: { afterOneFilter: rssAfterOne, after5000Filters: rssAfter5000 },
  };
  fs.writeFileSync(path.join(OUT, 'app.json'), JSON.stringify(summary, null, 2));
  process.stdout.write(
    `\n${summary.machine}; ${count.toLocaleString('en-GB')} orders; ${connections} connections, ` +
      `${duration} s per scenario in ${rounds} interleaved rounds (medians over rounds)\n`,
  );
  process.stdout.write(`database file read into the OS page cache first: ${warmMs} ms\n`);
  process.stdout.write(`ready (spawn to /readyz 200): ${summary.readyMs} ms\n`);
  process.stdout.write(
    `first request per scenario: ${cold.map((c) => `${c.name} ${c.ms} ms`).join('; ')}\n\n${table}\n\n${ratioLine}\n\n${writeTable}\n\n`,
  );
  process.stdout.write(`${unseenLine}\n${unseen.map((u) => `  ${u.path}: ${u.ms.toFixed(1)} ms`).join('\n')}\n\n`);
  process.stdout.write(`${prefixLine}\n${prefixes.map((u) => `  ${u.path}: ${u.ms.toFixed(1)} ms`).join('\n')}\n\n`);
  process.stdout.write(
    `RSS after one filter ${rssAfterOne} MB, after 5,000 distinct filters ${rssAfter5000} MB (+${(rssAfter5000 - rssAfterOne).toFixed(1)} MB)\n`,
  );
}

/** Posts `rate` valid new orders a second to the JSON API until stopped. */
function steadyWriter(url: string, rate: number): { stop: () => Promise<{ written: number; failed: number }> } {
  let written = 0;
  let failed = 0;
  const pending: Promise<void>[] = [];
  const rand = createRandom(Date.now() % 2 ** 31);
  const today = new Date().toISOString().slice(0, 10);
  const post = async (): Promise<void> => {
    const [order] = [...demoOrders(1, { seed: Math.floor(rand() * 2 ** 31), days: 1 })];
    const res = await fetch(`${url}/api/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: url },
      body: JSON.stringify({ ...order!, dateUuid: crypto.randomUUID(), orderDate: today, shippingDate: today }),
    }).catch(() => undefined);
    await res?.arrayBuffer();
    if (res?.status === 201) written++;
    else failed++;
  };
  const timer = rate > 0 ? setInterval(() => pending.push(post()), 1000 / rate) : undefined;
  return {
    stop: async () => {
      if (timer) clearInterval(timer);
      await Promise.all(pending);
      return { written, failed };
    },
  };
}

const UNSEEN_SORTS = ['', '&sort=dateUuid&dir=asc', '&sort=userId&dir=asc', '&sort=productCode&dir=asc', '&sort=storeCode&dir=asc'];

/** Times the first request of date ranges the app has not served before, under five sorts. */
async function unseenFilters(url: string): Promise<{ path: string; ms: number }[]> {
  const out: { path: string; ms: number }[] = [];
  const day = (offset: number): string => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
  // Widths from a day to open-ended, each at a start not used before.
  const ranges = [
    (i: number) => `from=${day(30 + i)}&to=${day(30 + i)}`,
    (i: number) => `from=${day(200 + i)}&to=${day(194 + i)}`,
    (i: number) => `from=${day(400 + i)}&to=${day(371 + i)}`,
    (i: number) => `from=${day(900 + i)}&to=${day(720 + i)}`,
    (i: number) => `from=${day(1000 + i)}`,
  ];
  let i = 0;
  for (const sort of UNSEEN_SORTS) {
    for (const range of ranges) {
      for (const page of [1, 2]) {
        const p = `/?${range(i++)}${sort}${page > 1 ? `&page=${page}` : ''}`;
        const t = performance.now();
        const res = await fetch(`${url}${p}`);
        await res.arrayBuffer();
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`${p} answered ${res.status}`);
        out.push({ path: p, ms: Math.round(ms * 10) / 10 });
      }
    }
  }
  return out;
}

/** Times the first request of case-insensitive prefix filters (store, user, product; narrow and wide) under the five sorts, pages 1 and 2. */
async function prefixFilters(
  url: string,
  order: { storeCode: string; userId: string; productCode: string },
): Promise<{ path: string; ms: number }[]> {
  const out: { path: string; ms: number }[] = [];
  const filters = [
    `storeCode=${encodeURIComponent(order.storeCode.slice(0, 2).toLowerCase())}`,
    `storeCode=${encodeURIComponent(order.storeCode.slice(0, 5).toLowerCase())}`,
    `userId=${encodeURIComponent(order.userId.slice(0, 2).toUpperCase())}`,
    `productCode=${encodeURIComponent(order.productCode.slice(0, 2).toLowerCase())}`,
  ];
  for (const sort of UNSEEN_SORTS) {
    for (const filter of filters) {
      for (const page of [1, 2]) {
        const p = `/?${filter}${sort}${page > 1 ? `&page=${page}` : ''}`;
        const t = performance.now();
        const res = await fetch(`${url}${p}`);
        await res.arrayBuffer();
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`${p} answered ${res.status}`);
        out.push({ path: p, ms: Math.round(ms * 10) / 10 });
      }
    }
  }
  return out;
}

/** Sends `n` list requests, each with a filter and sort combination not sent before. */
async function distinctFilters(url: string, n: number): Promise<void> {
  const rand = createRandom(7);
  for (let i = 0; i < n; i++) {
    const from = new Date(Date.now() - Math.floor(rand() * 1100) * 86_400_000).toISOString().slice(0, 10);
    const res = await fetch(`${url}/?from=${from}&userId=u-${i}${UNSEEN_SORTS[i % UNSEEN_SORTS.length]}`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`distinct filter ${i} answered ${res.status}`);
  }
}

/** Resident memory of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

main().catch((err: Error) => {
  process.stderr.write(`bench:app: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
