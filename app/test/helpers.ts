import type { Express } from 'express';
import pino from 'pino';
import { createApp } from '../src/app';
import type { Auth } from '../src/auth/auth';
import type { Order } from '../src/domain/order';
import { AppMetrics } from '../src/http/metrics';
import { Readiness } from '../src/http/readiness';
import { orderCreatedHook } from '../src/service/order-created-hook';
import { OrderService } from '../src/service/order-service';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';

/** Noon UTC on a fixed day, so date rules are deterministic. */
export const NOW = new Date('2026-06-15T12:00:00Z');

export const validOrder = (overrides: Partial<Order> = {}): Order => ({
  dateUuid: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
  userId: 'user-1',
  cardNumber: '4111111111111111',
  storeCode: 'WEB-1388012W',
  productCode: 'R7-3126933h',
  productQuantity: 2,
  orderDate: '2026-06-01',
  shippingDate: '2026-06-03',
  ...overrides,
});

export interface TestApp {
  readonly app: Express;
  readonly store: SqliteOrderStore;
  readonly service: OrderService;
  readonly metrics: AppMetrics;
  readonly readiness: Readiness;
  readonly logs: string[];
}

/** The real app on an in-memory SQLite store, logs captured. */
export async function makeTestApp(
  options: {
    writeRateLimitPerMinute?: number;
    bucketRows?: number;
    maxWalk?: number;
    file?: string;
    busyTimeoutMs?: number;
    auth?: Auth;
    listCacheMs?: number;
  } = {},
): Promise<TestApp> {
  const store = new SqliteOrderStore({ file: options.file ?? ':memory:', busyTimeoutMs: options.busyTimeoutMs, bucketRows: options.bucketRows });
  await store.migrate();
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  const metrics = new AppMetrics({ defaultMetrics: false });
  const service = new OrderService(store, { maxWalk: options.maxWalk, onCreated: orderCreatedHook(metrics, logger) });
  const readiness = new Readiness(() => store.ping());
  readiness.markReady();
  const app = createApp({
    service,
    readiness,
    metrics,
    logger,
    writeRateLimitPerMinute: options.writeRateLimitPerMinute ?? 10_000,
    now: () => NOW,
    auth: options.auth,
    listCacheMs: options.listCacheMs,
  });
  return { app, store, service, metrics, readiness, logs };
}
