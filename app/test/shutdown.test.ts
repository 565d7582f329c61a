import crypto from 'node:crypto';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AppContract } from '../src/app-contract';
import { demoCardNumber, createRandom } from '../src/domain/demo-orders';
import { ROOT, startServer } from './process-helpers';

function call(agent: http.Agent, url: string, method = 'GET', body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('SIGTERM under load: readiness turns 503, in-flight requests finish, zero failures, exit 0 within 10 s', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-shutdown-'));
  const { child, url } = await startServer({
    SQLITE_PATH: path.join(dir, 'orders.db'),
    SEED_DEMO_DATA: '3000',
    SHUTDOWN_DELAY_SECONDS: '1',
    WRITE_RATE_LIMIT_PER_MINUTE: '100000',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const rand = createRandom(5);
  let stop = false;
  const statuses: number[] = [];
  const failures: string[] = [];

  // The load balancer's view: stop routing new requests once readiness says so.
  const prober = (async () => {
    while (!stop) {
      try {
        if ((await call(new http.Agent(), `${url}${AppContract.paths.readiness}`)) === 503) stop = true;
      } catch {
        stop = true;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      try {
        if (i % 5 === 4) {
          const order = {
            dateUuid: crypto.randomUUID(),
            userId: `load-${w}`,
            cardNumber: demoCardNumber(rand),
            storeCode: 'S1',
            productCode: 'P1',
            productQuantity: 1,
            orderDate: '2024-01-01',
            shippingDate: '2024-01-02',
          };
          statuses.push(await call(agent, `${url}/api/orders`, 'POST', JSON.stringify(order)));
        } else {
          statuses.push(await call(agent, `${url}/?size=100&page=${1 + (i % 30)}`));
        }
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const workers = Array.from({ length: 16 }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, 1500));
  const sentAt = Date.now();
  child.kill('SIGTERM');
  await Promise.all([...workers, prober]);
  const code = await exited;
  const took = Date.now() - sentAt;
  agent.destroy();
  fs.rmSync(dir, { recursive: true, force: true });

  expect(failures).toEqual([]);
  expect(statuses.length).toBeGreaterThan(100);
  expect(statuses.filter((s) => s !== 200 && s !== 201)).toEqual([]);
  expect(code).toBe(0);
  expect(took).toBeLessThan(AppContract.shutdown.drainTimeoutSeconds * 1000);
});

test('in production mode with no database configured the app refuses to start with a clear message', async () => {
  await expect(startServer({ NODE_ENV: 'production' })).rejects.toThrow(/exited with 78[\s\S]*No database is configured and NODE_ENV is production/);
});

/** Starts the app and sends SIGTERM as soon as a log line with `msg` starting `when` appears; resolves with its exit and log messages. */
function signalWhileStarting(env: Record<string, string>, when: string): Promise<{ code: number | null; signal: string | null; messages: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'app/src/server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines.filter((l) => l.startsWith('{'))) {
      const msg = String((JSON.parse(line) as { msg?: string }).msg);
      messages.push(msg);
      if (msg.startsWith(when) && messages.filter((m) => m.startsWith(when)).length === 1) child.kill('SIGTERM');
    }
  });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, messages })));
}

test('SIGTERM while starting: the start finishes, then the app drains and exits 0 (not killed mid-start)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-early-stop-'));
  // Tracing's line comes before the runtime loads, the database is migrated and seeded.
  const r = await signalWhileStarting({ SQLITE_PATH: path.join(dir, 'orders.db'), SEED_DEMO_DATA: '20000' }, 'tracing off');
  expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
  expect(r.messages.filter((m) => ['order app ready', 'draining', 'stopped'].includes(m))).toEqual(['order app ready', 'draining', 'stopped']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('SIGTERM while the database does not answer: the app stops within 5 s, saying so, instead of waiting for the start', async () => {
  const silent = net.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as net.AddressInfo).port;
  const started = Date.now();
  const r = await signalWhileStarting(
    { DATABASE_DRIVER: 'mssql', MSSQL_CONNECTION_STRING: `Server=127.0.0.1,${port};Database=orders;User Id=app;Password=x;Encrypt=false` },
    'tracing off',
  );
  silent.close();
  expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null });
  expect(r.messages).toContain('stopped while starting');
  expect(r.messages).not.toContain('order app ready');
  expect(Date.now() - started).toBeLessThan(15_000);
});
