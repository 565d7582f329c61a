/**
 * Profiles the compiled app under load with `node --cpu-prof` and prints where its time goes:
 * the top functions by self time, and self time by package.
 *   npm run profile:app [-- --count 1000000 --duration 10 --connections 10 --path /]
 * The profile is kept in bench-results/profile/ (open it in Chrome DevTools).
 */
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { parseArgs, wholeNumber } from '../../lib/cli-args';
import { compileApp, ensureDatabase, OUT, startApp } from './bench-helpers';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

/** Where a frame's code lives: a package, the app, Node itself, or V8 (GC, idle, program). */
function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node (core)';
  if (url.includes('/app/')) return 'app';
  return url;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    count: 'orders',
    duration: 'seconds of load',
    connections: 'concurrent connections',
    path: 'path to load, e.g. /',
  });
  const count = wholeNumber('count', args.count, 100, 10_000_000, 1_000_000);
  const duration = wholeNumber('duration', args.duration, 1, 120, 10);
  const connections = wholeNumber('connections', args.connections, 1, 256, 10);
  const target = args.path ?? '/';
  if (!target.startsWith('/')) throw new Error(`--path must start with "/"; got ${JSON.stringify(target)}`);
  fs.mkdirSync(OUT, { recursive: true });
  const dbFile = path.join(OUT, `bench-${count}.db`);
  await ensureDatabase(dbFile, count);
  const profileDir = path.join(OUT, 'profile');
  fs.rmSync(profileDir, { recursive: true, force: true });
  const build = compileApp();
  const { child, url } = await startApp(build, dbFile, {}, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const r = await autocannon({ url: `${url}${target}`, duration, connections });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  fs.rmSync(build, { recursive: true, force: true });

  const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${profileDir}`);
  const profile = JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8')) as { nodes: ProfileNode[] };
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    const { functionName, url: u, lineNumber } = n.callFrame;
    const where = u
      ? `${u
          .replace(/^file:\/\//, '')
          .replace(/.*node_modules\//, '')
          .replace(/.*\/app\//, 'app/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    const o = owner(u, functionName);
    byOwner.set(o, (byOwner.get(o) ?? 0) + hits);
  }
  const pct = (hits: number): string => `${((100 * hits) / total).toFixed(1)} %`;
  const top = (m: Map<string, number>, n: number): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `| ${pct(v)} | \`${k}\` |`)
      .join('\n');
  process.stdout.write(`GET ${target}: ${Math.round(r.requests.average)} req/s over ${duration} s, ${connections} connections (profiling on)\n\n`);
  process.stdout.write(`Self time by package:\n\n| self | where |\n|---:|---|\n${top(byOwner, 15)}\n\n`);
  process.stdout.write(`Top functions by self time:\n\n| self | function |\n|---:|---|\n${top(byFunction, 25)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`profile:app: ${err.message}\n`);
  process.exit(1);
});
