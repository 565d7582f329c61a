import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AppContract } from '../src/app-contract';
import { loadConfig } from '../src/config';
import { startRuntime, type Runtime } from '../src/runtime';

const running: Runtime[] = [];
const sockets: net.Socket[] = [];

async function start(env: Record<string, string>): Promise<Runtime> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-slow-'));
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', SQLITE_PATH: path.join(dir, 'orders.db'), ...env });
  const runtime = await startRuntime(config, pino({ level: 'silent' }));
  running.push(runtime);
  return runtime;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const r of running.splice(0)) {
    r.server.closeAllConnections();
    await r.shutdown('test');
  }
});

/** Sends headers and the first bytes of a JSON body that never ends; `response` resolves with what came back once the server answers or closes. */
function slowBody(url: string, extraHeaders = ''): { socket: net.Socket; response: Promise<{ text: string; closed: boolean }> } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  sockets.push(socket);
  socket.write(
    `POST /api/orders HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n${extraHeaders}\r\n{"dateUuid":`,
  );
  let text = '';
  const response = new Promise<{ text: string; closed: boolean }>((resolve) => {
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\r\n\r\n')) resolve({ text, closed: false });
    });
    socket.on('close', () => resolve({ text, closed: true }));
    socket.on('error', () => undefined);
  });
  return { socket, response };
}

const within = <T>(ms: number, p: Promise<T>): Promise<T | 'still waiting'> =>
  Promise.race([p, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref())]);

test('a request body that stops arriving is answered 408 and the connection closed after the configured time', async () => {
  const app = await start({ [AppContract.env.requestTimeoutSeconds]: '1' });
  const { response } = slowBody(app.url);
  const result = await within(15_000, response);
  expect(result).not.toBe('still waiting');
  expect((result as { text: string }).text).toMatch(/^HTTP\/1\.1 408 /);
});

test('with the cap reached, another slow body is refused with 503 and Retry-After while the probes still answer', async () => {
  const app = await start({ [AppContract.env.maxConcurrentRequestBodies]: '2' });
  const first = slowBody(app.url);
  const second = slowBody(app.url);
  await new Promise((r) => setTimeout(r, 300));
  const third = await within(15_000, slowBody(app.url).response);
  expect(third).not.toBe('still waiting');
  expect((third as { text: string }).text).toMatch(/^HTTP\/1\.1 503 /);
  expect((third as { text: string }).text).toMatch(/\r\nRetry-After: \d+\r\n/i);
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  expect((await fetch(`${app.url}/api/orders`)).status).toBe(200);
  first.socket.destroy();
  second.socket.destroy();
  // The slots are freed when those connections close: a whole body is read again.
  let status = 0;
  for (let i = 0; i < 50 && status !== 422; i++) {
    status = (await fetch(`${app.url}/api/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status;
    if (status !== 422) await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toBe(422);
});

test('a request answered before its body arrived frees its place at once, so refused half-sent posts cannot block every later post', async () => {
  const app = await start({ [AppContract.env.maxConcurrentRequestBodies]: '2' });
  // A cross-site post is refused from its headers (403) while its body is still to come.
  const refused = [slowBody(app.url, 'Origin: http://evil.example\r\n'), slowBody(app.url, 'Origin: http://evil.example\r\n')];
  for (const r of refused) {
    const result = await within(15_000, r.response);
    expect((result as { text: string }).text).toMatch(/^HTTP\/1\.1 403 /);
  }
  // Their sockets stay open: only the answers are done.
  const res = await fetch(`${app.url}/api/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(422);
});
