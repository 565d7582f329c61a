import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { AppMetrics } from '../src/http/metrics';
import { Readiness } from '../src/http/readiness';
import { OrderService } from '../src/service/order-service';
import { MssqlOrderStore } from '../src/store/mssql-order-store';
import { NOW, validOrder } from './helpers';
import { TcpFaultServer, type TcpFaultMode } from './tcp-fault-server';

// No SQL Server runs here: these drive the real driver (mssql, tedious) against a local TCP
// server that resets or ignores every connection, as a server that is down or failing over does.

async function appOnFault(mode: TcpFaultMode) {
  const fault = await TcpFaultServer.start(mode);
  const store = new MssqlOrderStore({
    connection: {
      server: '127.0.0.1',
      port: fault.port,
      user: 'sa',
      password: 'not-used',
      options: { encrypt: false, trustServerCertificate: true },
      connectionTimeout: 1000,
      requestTimeout: 1000,
    },
    retry: { attempts: 2, baseDelayMs: 10 },
  });
  const readiness = new Readiness(() => store.ping());
  readiness.markReady();
  const logs: string[] = [];
  const app = createApp({
    service: new OrderService(store),
    readiness,
    metrics: new AppMetrics({ defaultMetrics: false }),
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
    writeRateLimitPerMinute: 10_000,
    now: () => NOW,
  });
  return {
    app,
    fault,
    store,
    logs,
    close: async () => {
      await store.close().catch(() => undefined);
      await fault.close();
    },
  };
}

const body = { ...validOrder(), cardNumber: '4111-1111-1111-1111' };

test.each(['reset', 'silent'] as const)(
  'SQL Server unreachable (connections %s): writes, pages and readiness are 503 with Retry-After and a plain message within the configured timeouts',
  async (mode) => {
    const t = await appOnFault(mode);
    try {
      const started = Date.now();
      const [write, page, ready] = await Promise.all([
        request(t.app).post('/api/orders').send(body),
        request(t.app).get('/?page=3'),
        request(t.app).get('/readyz'),
      ]);
      // Two attempts of at most a one-second connect each, plus backoff: far below this.
      expect(Date.now() - started).toBeLessThan(8000);
      expect(write.status).toBe(503);
      expect(write.headers['retry-after']).toMatch(/^\d+$/);
      expect(write.body.detail).toMatch(/database is not available right now/);
      expect(write.text).not.toMatch(/at \w+ \(|ESOCKET|ETIMEOUT|127\.0\.0\.1/);
      expect(page.status).toBe(503);
      expect(page.headers['retry-after']).toMatch(/^\d+$/);
      expect(page.text).not.toMatch(/at \w+ \(/);
      expect(ready.status).toBe(503);
    } finally {
      await t.close();
    }
  },
  20_000,
);

test('after a failed connect the pool tries again on the next request; it is not stuck on the failure', async () => {
  const t = await appOnFault('reset');
  try {
    await request(t.app).get('/readyz').expect(503);
    const after = t.fault.accepted;
    expect(after).toBeGreaterThan(0);
    await request(t.app).post('/api/orders').send(body).expect(503);
    expect(t.fault.accepted).toBeGreaterThan(after);
    await request(t.app).get('/readyz').expect(503);
  } finally {
    await t.close();
  }
}, 20_000);
