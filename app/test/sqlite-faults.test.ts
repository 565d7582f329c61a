import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { ROOT, startServer } from './process-helpers';

const order = (): Record<string, unknown> => ({
  dateUuid: crypto.randomUUID(),
  userId: 'fault-user',
  cardNumber: '4111-1111-1111-1111',
  storeCode: 'S1',
  productCode: 'P1',
  productQuantity: 1,
  orderDate: '2024-01-01',
  shippingDate: '2024-01-02',
});

/** A stack trace, raw or inside a JSON log line. */
const STACK = /"stack"|(\n|\\n)\s+at /;

const post = (url: string, body = order()): Promise<Response> =>
  fetch(`${url}/api/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** Another process that holds the database's write lock (`BEGIN EXCLUSIVE`) until `release()`. */
async function holdWriteLock(file: string): Promise<{ release(): Promise<void> }> {
  const script = `const db = new (require('better-sqlite3'))(process.argv[1]);
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script, file], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    release: async () => {
      child.stdin!.write('release\n');
      await exited;
    },
  };
}

/** Resolves with how long `work` took, in milliseconds. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await work();
  return { value, ms: Date.now() - start };
}

async function readyStatus(url: string): Promise<{ status: number; body: { reason?: string } }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { reason?: string } };
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const logLines = (output: string[]): { level: string; msg: string }[] =>
  output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string });

let dir: string;
let children: ChildProcess[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-faults-'));
  fs.chmodSync(dir, 0o777);
});
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children = [];
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<{ url: string; output: string[] }> {
  const s = await startServer({ SQLITE_PATH: path.join(dir, 'orders.db'), SEED_DEMO_DATA: '200', WRITE_RATE_LIMIT_PER_MINUTE: '100000', ...env });
  children.push(s.child);
  return s;
}

test(
  'while another process holds the write lock, liveness and reads answer at once, the write waits without blocking them ' +
    'and gets 503 with Retry-After past the deadline, and readiness follows the lock',
  async () => {
    const { url } = await start();
    const lock = await holdWriteLock(path.join(dir, 'orders.db'));
    const refusedOrder = order();
    const first = timed(() => post(url, refusedOrder));
    await new Promise((r) => setTimeout(r, 200));
    const [health, page] = await Promise.all([timed(() => fetch(`${url}/healthz`)), timed(() => fetch(`${url}/?page=3`))]);
    const pending = await Promise.race([first.then(() => 'done'), Promise.resolve('pending')]);
    expect(pending).toBe('pending');
    expect(health.value.status).toBe(200);
    expect(page.value.status).toBe(200);
    expect(health.ms).toBeLessThan(1000);
    expect(page.ms).toBeLessThan(1000);

    const refused = (await first).value;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    const problem = (await refused.json()) as { detail: string };
    expect(problem.detail).toMatch(/another process|busy|locked/i);
    expect(JSON.stringify(problem)).not.toMatch(/at \w+ \(|SqliteError/);
    // The lock has now been held for longer than the write deadline.
    expect(await readyStatus(url)).toMatchObject({ status: 503, body: { reason: expect.stringMatching(/lock/i) } });

    // A write that starts while the lock is held and ends before the deadline is stored.
    const second = post(url);
    await new Promise((r) => setTimeout(r, 500));
    await lock.release();
    expect((await second).status).toBe(201);
    expect(await eventually(async () => (await readyStatus(url)).status === 200, 3000)).toBe(true);
    expect((await fetch(`${url}/api/orders/${String(refusedOrder.dateUuid)}/fault-user`)).status).toBe(404);
  },
  30_000,
);

test(
  'a database file removed under the running app: writes are refused with 503 saying so, readiness fails, ' +
    'one error log names SQLITE_PATH, nothing is acknowledged and lost',
  async () => {
    const { url, output } = await start();
    expect((await post(url)).status).toBe(201);
    for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
    const kept = order();
    const refused = await post(url, kept);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/removed or replaced.*restart/i);
    expect((await post(url)).status).toBe(503);
    expect(await readyStatus(url)).toMatchObject({ status: 503, body: { reason: expect.stringMatching(/removed or replaced/) } });
    // The child's log line reaches the pipe a little later on a loaded machine.
    const sqlitePathErrors = () => logLines(output).filter((l) => l.level === 'error' && /SQLITE_PATH/.test(l.msg));
    await eventually(async () => sqlitePathErrors().length > 0, 5000);
    const errors = sqlitePathErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain(path.join(dir, 'orders.db'));
    // Reads still answer from the open file; a new file put in its place is not taken for it.
    expect((await fetch(`${url}/?page=2`)).status).toBe(200);
    const other = new SqliteOrderStore({ file: path.join(dir, 'orders.db') });
    await other.migrate();
    await other.close();
    expect((await post(url)).status).toBe(503);
    expect((await fetch(`${url}/api/orders/${String(kept.dateUuid)}/fault-user`)).status).toBe(404);
  },
);

/** Runs the app as a user who cannot write where SQLITE_PATH points (root ignores file modes, so as `nobody` when root). */
function startAsUnprivileged(env: Record<string, string>): { status: number | null; output: string } {
  const asRoot = process.getuid?.() === 0;
  const node = [process.execPath, '--import', 'tsx', path.join(ROOT, 'app/src/server.ts')];
  const command = asRoot ? ['runuser', '-u', 'nobody', '--', ...node] : node;
  const r = spawnSync(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, PORT: '0', LOG_LEVEL: 'info', SEED_DEMO_DATA: '0', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test.each([
  ['the file is read-only', 0o444, 0o777],
  ['its folder is read-only', 0o666, 0o555],
])(
  'a database that cannot be written (%s) stops the start with a clear message naming SQLITE_PATH, not a stack trace',
  async (_case, fileMode, dirMode) => {
    const file = path.join(dir, 'orders.db');
    const store = new SqliteOrderStore({ file });
    await store.migrate();
    await store.close();
    fs.chmodSync(file, fileMode);
    fs.chmodSync(dir, dirMode);
    try {
      const { status, output } = startAsUnprivileged({ SQLITE_PATH: file });
      expect(status).not.toBe(0);
      expect(status).not.toBeNull();
      expect(output).toContain(`SQLITE_PATH=${file}`);
      expect(output).toMatch(/read and write access/);
      expect(output).not.toMatch(STACK);
    } finally {
      fs.chmodSync(dir, 0o777);
    }
  },
);

test(
  'a start that cannot migrate because another process holds the write lock past the deadline ' +
    'exits with a message naming the lock and SQLITE_PATH, not a stack trace',
  async () => {
    const file = path.join(dir, 'orders.db');
    const Database = (await import('better-sqlite3')).default;
    const empty = new Database(file);
    empty.pragma('journal_mode = WAL');
    empty.close();
    const lock = await holdWriteLock(file);
    try {
      const failed = await start({ SEED_DEMO_DATA: '0' }).then(
        () => '',
        (err: Error) => err.message,
      );
      expect(failed).toMatch(/exited with 1[\s\S]*write lock[\s\S]*SQLITE_PATH=/);
      expect(failed).not.toMatch(STACK);
    } finally {
      await lock.release();
    }
  },
  30_000,
);
