/** What the app benchmarks share: the seeded database, the compiled app and starting it. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoOrders } from '../src/domain/demo-orders';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';

export const ROOT = path.resolve(__dirname, '..', '..');
export const OUT = path.join(ROOT, 'bench-results');

/** Seeds `count` demo orders into `file` once; later runs of the same count reuse it. */
export async function ensureDatabase(file: string, count: number): Promise<void> {
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

/** Compiles the app as the image does, into a temporary folder; returns the folder. */
export function compileApp(): string {
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-bench-'));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(build, 'app')], {
    cwd: ROOT,
  });
  fs.cpSync(path.join(ROOT, 'app/public'), path.join(build, 'public'), { recursive: true });
  return build;
}

/**
 * Starts the compiled app in production mode on SQLite, request logs written and discarded
 * as in production; resolves when `/readyz` answers 200, with the time from spawn to ready.
 */
export async function startApp(
  build: string,
  dbFile: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; url: string; readyMs: number }> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, path.join(build, 'app/server.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH!,
      NODE_ENV: 'production',
      DATABASE_DRIVER: 'sqlite',
      SQLITE_PATH: dbFile,
      PORT: '0',
      LOG_LEVEL: 'info',
      NODE_PATH: path.join(ROOT, 'node_modules'),
      ...env,
    },
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
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  for (;;) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.status === 200) return { child, url, readyMs: performance.now() - spawnedAt };
    await new Promise((r) => setTimeout(r, 10));
  }
}
