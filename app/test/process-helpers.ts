import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Starts `app/src/server.ts` in its own process; resolves with its URL once ready. */
export function startServer(
  env: Record<string, string>,
  entry = path.join(ROOT, 'app/src/server.ts'),
  nodeArgs = ['--import', 'tsx'],
): Promise<{ child: ChildProcess; url: string; output: string[] }> {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('')}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      output.push(d.toString());
      for (const line of d.toString().split('\n')) {
        if (!line.startsWith('{')) continue;
        const msg = JSON.parse(line) as { msg?: string; url?: string };
        if (msg.msg === 'order app ready') {
          clearTimeout(timer);
          resolve({ child, url: msg.url!, output });
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join('')}`));
    });
  });
}

/** Debian's Chromium (installed by .ci/run), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A real headless Chromium driven by playwright-core; never a downloaded browser. */
export async function launchChromium(): Promise<import('playwright-core').Browser> {
  const { existsSync } = await import('node:fs');
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: run "apt-get install -y chromium" (as .ci/run does) or set CHROMIUM_PATH.`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** Runs `app/src/server.ts` until it exits (a start that fails); its exit status and both outputs. */
export function runServerToExit(
  env: Record<string, string>,
  nodeArgs = ['--import', 'tsx'],
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, path.join(ROOT, 'app/src/server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, PORT: '0', LOG_LEVEL: 'info', SEED_DEMO_DATA: '0', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As `runServerToExit`, without blocking this process: for starts that talk to servers the test runs (a fake Key Vault). */
export function runServerToExitAsync(
  env: Record<string, string>,
  nodeArgs = ['--import', 'tsx'],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'app/src/server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, PORT: '0', LOG_LEVEL: 'info', SEED_DEMO_DATA: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

/**
 * For one test file: the app on a fresh SQLite file with `seedDemoOrders` demo orders, and a
 * Chromium; both closed after the file's tests. Read `browser` and `url` inside tests.
 */
export function appInChromium(seedDemoOrders: number): { readonly browser: import('playwright-core').Browser; readonly url: string } {
  let browser: import('playwright-core').Browser | undefined;
  let server: { child: ChildProcess; url: string } | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-browser-'));
    server = await startServer({ SQLITE_PATH: path.join(dir, 'orders.db'), SEED_DEMO_DATA: String(seedDemoOrders) });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    // Unset when beforeAll failed part-way.
    await browser?.close();
    const child = server?.child;
    child?.kill('SIGTERM');
    if (child) await new Promise((r) => child.once('exit', r));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get browser() {
      return browser!;
    },
    get url() {
      return server!.url;
    },
  };
}
