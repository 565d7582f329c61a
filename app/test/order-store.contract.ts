import crypto from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import type { Order } from '../src/domain/order';
import { foldKey, SORT_FIELDS, sortKeyOf, TEXT_FILTER_FIELDS, type OrderFilter, type OrderSort } from '../src/domain/order-query';
import { AppMetrics } from '../src/http/metrics';
import { Readiness } from '../src/http/readiness';
import { OrderService } from '../src/service/order-service';
import type { OrderStore } from '../src/store/order-store';
import { NOW, validOrder } from './helpers';

const uuid = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** A small data set with ties on every sortable column. */
export function contractOrders(): Order[] {
  return Array.from({ length: 23 }, (_, i) =>
    validOrder({
      dateUuid: uuid(i),
      userId: `user-${i % 4}`,
      storeCode: `store-${i % 3}`,
      productCode: `P-${i % 5}`,
      productQuantity: 1 + (i % 6),
      orderDate: `2026-05-${String(1 + (i % 9)).padStart(2, '0')}`,
      shippingDate: `2026-05-${String(10 + (i % 7)).padStart(2, '0')}`,
    }),
  );
}

/**
 * Orders whose text fields differ in case, share prefixes, and hold `%`, `_`, non-ASCII
 * letters and an emoji: for the prefix filters. Distinct Date UUIDs, so SQL Server's
 * case-insensitive primary key keeps `Bob` and `bob` apart.
 */
export function prefixOrders(): Order[] {
  const texts: [string, string, string][] = [
    ['Bob', 'GB-8847179F', 'A1-0000001a'],
    ['bob', 'gb-8847000a', 'a1-0000002B'],
    ['BOB-2', 'Gb-88_%x', 'A1_000003c'],
    ['bobby', 'GB-88%', 'A1%000004d'],
    ['alice', 'GB8847X', 'B2-0000005e'],
    ['Alice', 'GB-9', 'b2-0000006F'],
    ['ÉMILE', 'GB-8847179F-2', 'É1-0000007g'],
    ['émile', 'gc-1', 'é1-0000008h'],
    ['AB😀', 'GB-8847179F', 'AB😀'],
    ['ab', 'WEB-1', 'A1-0000001a'],
  ];
  return texts.flatMap(([userId, storeCode, productCode], i) =>
    [0, 1].map((j) =>
      validOrder({
        dateUuid: uuid(100 + 2 * i + j),
        userId,
        storeCode,
        productCode,
        productQuantity: 1 + ((i + j) % 4),
        orderDate: `2026-05-${String(1 + ((3 * i + j) % 9)).padStart(2, '0')}`,
        shippingDate: `2026-05-${String(10 + ((i + 2 * j) % 7)).padStart(2, '0')}`,
      }),
    ),
  );
}

/** Reference ordering in plain JS: what every store must return. Text filters keep a case-folded prefix. */
export function expectedOrder(orders: readonly Order[], filter: OrderFilter, sort: OrderSort): Order[] {
  const keep = orders.filter(
    (o) =>
      TEXT_FILTER_FIELDS.every((f) => filter[f] === undefined || foldKey(o[f]).startsWith(foldKey(filter[f]))) &&
      (filter.orderDateFrom === undefined || o.orderDate >= filter.orderDateFrom) &&
      (filter.orderDateTo === undefined || o.orderDate <= filter.orderDateTo),
  );
  const cmp = (a: Order, b: Order): number => {
    const ka = sortKeyOf(a, sort.field);
    const kb = sortKeyOf(b, sort.field);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i]! < kb[i]!) return sort.direction === 'asc' ? -1 : 1;
      if (ka[i]! > kb[i]!) return sort.direction === 'asc' ? 1 : -1;
    }
    return 0;
  };
  return keep.sort(cmp);
}

/** Every position of every sort field, both ways (rank of a row, row at a rank), is the reference ordering's. */
export async function expectPositions(store: OrderStore, orders: readonly Order[]): Promise<void> {
  expect(await store.total()).toBe(orders.length);
  for (const field of SORT_FIELDS) {
    const asc = expectedOrder(orders, {}, { field, direction: 'asc' });
    for (let i = 0; i < asc.length; i++) {
      expect(await store.rowAtRank(field, i)).toEqual(asc[i]);
      expect(await store.rank(field, sortKeyOf(asc[i]!, field))).toBe(i);
    }
    expect(await store.rowAtRank(field, asc.length)).toBeUndefined();
  }
}

/**
 * A fresh, empty, migrated store whose database can be made unavailable from outside the
 * store (a lock held by another connection, connections cut by a proxy), and available again.
 */
export interface StoreWithFault {
  readonly store: OrderStore;
  begin(): Promise<void>;
  end(): Promise<void>;
  /** Releases what the fault needs (after the store is closed). */
  close(): Promise<void>;
}

/** The real app over a store, as `runtime.ts` builds it. */
function appOn(store: OrderStore) {
  const readiness = new Readiness(() => store.ping());
  readiness.markReady();
  return createApp({
    service: new OrderService(store),
    readiness,
    metrics: new AppMetrics({ defaultMetrics: false }),
    logger: pino({ level: 'silent' }),
    writeRateLimitPerMinute: 10_000,
    now: () => NOW,
  });
}

async function statusTurns(app: ReturnType<typeof appOn>, path: string, status: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await request(app).get(path)).status === status) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The behaviour every `OrderStore` must have. Each store's test file calls this with a
 * factory for a fresh, empty, migrated store, and one for a store whose database can be
 * made unavailable (for the fault behaviour).
 */
export function orderStoreContract(name: string, open: () => Promise<OrderStore>, openWithFault?: () => Promise<StoreWithFault>): void {
  describe(`${name} order store contract`, () => {
    let store: OrderStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    test('migrating twice is harmless', async () => {
      await store.migrate();
      await store.migrate();
      expect(await store.page({ filter: {}, sort: { field: 'orderDate', direction: 'desc' }, skip: 0, limit: 5 })).toEqual([]);
    });

    test('stores an order and reads it back exactly', async () => {
      const order = validOrder({ userId: "'; DROP TABLE orders;--", storeCode: '<script>alert(1)</script>', productCode: 'Ünïcødé 😀' });
      expect(await store.insert(order)).toBe('inserted');
      expect(await store.get(order.dateUuid, order.userId)).toEqual(order);
      expect(await store.get(order.dateUuid, 'someone-else')).toBeUndefined();
    });

    test('a duplicate key is reported and nothing is overwritten', async () => {
      const order = validOrder();
      await store.insert(order);
      expect(await store.insert({ ...order, productQuantity: 99, storeCode: 'other' })).toBe('duplicate');
      expect(await store.get(order.dateUuid, order.userId)).toEqual(order);
      expect(await store.insert({ ...order, userId: 'another-user' })).toBe('inserted');
    });

    test('records who created an order, and null when nobody was signed in', async () => {
      const signedIn = validOrder();
      const anonymous = validOrder({ userId: 'user-2' });
      await store.insert(signedIn, 'editor@shop.example');
      await store.insert(anonymous);
      expect(await store.creatorOf(signedIn.dateUuid, signedIn.userId)).toBe('editor@shop.example');
      expect(await store.creatorOf(anonymous.dateUuid, anonymous.userId)).toBeNull();
      expect(await store.creatorOf(signedIn.dateUuid, 'nobody')).toBeUndefined();
      expect(await store.get(signedIn.dateUuid, signedIn.userId)).toEqual(signedIn);
    });

    test('positions follow every write: totals, ranks and the row at each position', async () => {
      const orders = contractOrders();
      for (const o of orders.slice(0, 10)) await store.insert(o);
      expect(await store.total()).toBe(10);
      for (const o of orders.slice(10)) await store.insert(o);
      expect(await store.total()).toBe(orders.length);
      await expectPositions(store, orders);
    });

    test('pages, sorts, filters and seeks exactly like the reference ordering', async () => {
      const orders = contractOrders();
      for (const o of orders) await store.insert(o);
      const filters: OrderFilter[] = [
        {},
        { userId: 'user-1' },
        { storeCode: 'store-2' },
        { productCode: 'P-0', orderDateFrom: '2026-05-03' },
        { orderDateFrom: '2026-05-02', orderDateTo: '2026-05-05' },
        { userId: 'nobody' },
      ];
      for (const field of SORT_FIELDS) {
        for (const direction of ['asc', 'desc'] as const) {
          for (const filter of filters) {
            const sort = { field, direction };
            const expected = expectedOrder(orders, filter, sort);
            const all = await store.page({ filter, sort, skip: 0, limit: 100 });
            expect(all.map((o) => o.dateUuid)).toEqual(expected.map((o) => o.dateUuid));
            expect(await store.page({ filter, sort, skip: 2, limit: 3 })).toEqual(expected.slice(2, 5));
            if (expected.length > 4) {
              const from = { key: sortKeyOf(expected[3]!, sort.field), inclusive: true };
              expect(await store.page({ filter, sort, from, skip: 1, limit: 2 })).toEqual(expected.slice(4, 6));
              expect(await store.page({ filter, sort, from: { ...from, inclusive: false }, skip: 0, limit: 2 })).toEqual(expected.slice(4, 6));
            }
            for (const via of SORT_FIELDS) {
              expect(await store.count(filter, via)).toBe(expected.length);
              expect(await store.page({ filter, sort, skip: 1, limit: 4, via })).toEqual(expected.slice(1, 5));
            }
          }
        }
      }
    });

    test('text filters keep a prefix in any ASCII case, with every character literal', async () => {
      const orders = prefixOrders();
      for (const o of orders) await store.insert(o);
      const sort: OrderSort = { field: 'dateUuid', direction: 'asc' };
      const stores = async (filter: OrderFilter): Promise<string[]> =>
        [...new Set((await store.page({ filter, sort, skip: 0, limit: 100 })).map((o) => o.storeCode))].sort();
      expect(await stores({ storeCode: 'gb-88' })).toEqual(['GB-88%', 'GB-8847179F', 'GB-8847179F-2', 'Gb-88_%x', 'gb-8847000a']);
      // A whole value is a prefix of itself and of longer ones.
      expect(await stores({ storeCode: 'gb-8847179f' })).toEqual(['GB-8847179F', 'GB-8847179F-2']);
      // % and _ are no wildcards.
      expect(await stores({ storeCode: 'GB-88%' })).toEqual(['GB-88%']);
      expect(await stores({ storeCode: 'gb-88_' })).toEqual(['Gb-88_%x']);
      expect(await stores({ storeCode: '%' })).toEqual([]);
      expect(await stores({ storeCode: 'zz' })).toEqual([]);
      const users = async (filter: OrderFilter): Promise<string[]> =>
        [...new Set((await store.page({ filter, sort, skip: 0, limit: 100 })).map((o) => o.userId))].sort();
      expect(await users({ userId: 'BOB' })).toEqual(['BOB-2', 'Bob', 'bob', 'bobby']);
      expect(await users({ userId: 'bob-' })).toEqual(['BOB-2']);
      // Only ASCII letters are folded: É and é stay apart.
      expect(await users({ userId: 'émi' })).toEqual(['émile']);
      expect(await users({ userId: 'Émi' })).toEqual(['ÉMILE']);
      // A prefix ending in U+FFFF is bounded by a wider range and checked character by character.
      expect(await users({ userId: 'ab\uffff' })).toEqual([]);
      expect(await users({ userId: 'aB😀' })).toEqual(['AB😀']);
      const products = async (filter: OrderFilter): Promise<string[]> =>
        [...new Set((await store.page({ filter, sort, skip: 0, limit: 100 })).map((o) => o.productCode))].sort();
      expect(await products({ productCode: 'a1_' })).toEqual(['A1_000003c']);
      expect(await products({ productCode: 'A1-' })).toEqual(['A1-0000001a', 'a1-0000002B']);
    });

    test('prefix filters, alone and with a date range, page, sort, count and seek like the reference under every sort', async () => {
      const orders = prefixOrders();
      for (const o of orders) await store.insert(o);
      const filters: OrderFilter[] = [
        { storeCode: 'gb-88' },
        { storeCode: 'GB-8847179F', orderDateFrom: '2026-05-03' },
        { userId: 'b', orderDateFrom: '2026-05-02', orderDateTo: '2026-05-07' },
        { productCode: 'a1', storeCode: 'G' },
        { userId: 'ab😀' },
        { storeCode: 'gb-88%', orderDateTo: '2026-05-08' },
      ];
      for (const field of SORT_FIELDS) {
        for (const direction of ['asc', 'desc'] as const) {
          for (const filter of filters) {
            const sort = { field, direction };
            const expected = expectedOrder(orders, filter, sort);
            expect((await store.page({ filter, sort, skip: 0, limit: 100 })).map((o) => o.dateUuid)).toEqual(expected.map((o) => o.dateUuid));
            if (expected.length > 3) {
              const from = { key: sortKeyOf(expected[2]!, sort.field), inclusive: false };
              expect(await store.page({ filter, sort, from, skip: 0, limit: 2 })).toEqual(expected.slice(3, 5));
            }
            for (const via of SORT_FIELDS) {
              expect(await store.count(filter, via)).toBe(expected.length);
              expect(await store.page({ filter, sort, skip: 1, limit: 3, via })).toEqual(expected.slice(1, 4));
            }
          }
        }
      }
    });

    test('paging a prefix filter forward by its Next links, under every sort, shows each match once', async () => {
      const orders = prefixOrders();
      for (const o of orders) await store.insert(o);
      const service = new OrderService(store);
      const filters: OrderFilter[] = [{ storeCode: 'gb-88' }, { userId: 'BOB', orderDateFrom: '2026-05-02' }, { productCode: 'a' }];
      for (const field of SORT_FIELDS) {
        for (const direction of ['asc', 'desc'] as const) {
          for (const filter of filters) {
            const sort = { field, direction };
            const expected = expectedOrder(orders, filter, sort).map((o) => o.dateUuid);
            const seen: string[] = [];
            let page = await service.list({ page: 1, size: 3, sort, filter });
            // The total is exact, or an upper bound that says so.
            expect(page.totalItems === expected.length || (!page.totalExact && page.totalItems > expected.length)).toBe(true);
            for (;;) {
              seen.push(...page.items.map((o) => o.dateUuid));
              if (!page.hasNext) break;
              const key = sortKeyOf(page.items[page.items.length - 1]!, sort.field);
              page = await service.list({ page: page.page + 1, size: 3, sort, filter, cursor: { direction: 'after', key } });
            }
            expect(seen).toEqual(expected);
          }
        }
      }
    });

    test('under concurrent writes, paging forward by cursor neither repeats nor skips a row, and counts are exact once writes stop', async () => {
      const orders = contractOrders();
      for (const o of orders) await store.insert(o);
      const service = new OrderService(store);
      const cases: { filter: OrderFilter; sort: OrderSort }[] = [
        { filter: {}, sort: { field: 'orderDate', direction: 'desc' } },
        { filter: { storeCode: 'store-1' }, sort: { field: 'orderDate', direction: 'asc' } },
        { filter: { orderDateFrom: '2026-05-03' }, sort: { field: 'userId', direction: 'asc' } },
        { filter: { productCode: 'P-2', userId: 'user-2' }, sort: { field: 'productQuantity', direction: 'desc' } },
      ];
      let written = 0;
      const writeOne = (): Promise<unknown> => {
        const i = written++;
        // New rows land before, among and after the rows already paged.
        return store.insert(
          validOrder({
            dateUuid: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            userId: `user-${i % 4}`,
            storeCode: `store-${i % 3}`,
            productCode: `P-${i % 5}`,
            productQuantity: 1 + (i % 6),
            orderDate: `2026-05-${String(1 + ((i * 7) % 9)).padStart(2, '0')}`,
          }),
        );
      };
      for (const { filter, sort } of cases) {
        const before = expectedOrder(orders, filter, sort).map((o) => o.dateUuid);
        const seen: string[] = [];
        let page = await service.list({ page: 1, size: 3, sort, filter });
        for (;;) {
          seen.push(...page.items.map((o) => o.dateUuid));
          // Two writes race every page request.
          const [next] = await Promise.all([
            page.hasNext
              ? service.list({
                  page: page.page + 1,
                  size: 3,
                  sort,
                  filter,
                  cursor: { direction: 'after', key: sortKeyOf(page.items[page.items.length - 1]!, sort.field) },
                })
              : undefined,
            writeOne(),
            writeOne(),
          ]);
          if (!next) break;
          page = next;
        }
        expect(new Set(seen).size).toBe(seen.length);
        // Every row that was there before is seen exactly once; rows written meanwhile may be.
        expect(seen.filter((u) => before.includes(u))).toEqual(before);
      }
      // Writes have stopped: every count and page is exact.
      expect(await store.total()).toBe(orders.length + written);
      const all = [...orders];
      for (let i = 0; i < written; i++) all.push((await store.get(`10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, `user-${i % 4}`))!);
      for (const { filter, sort } of cases) {
        const expected = expectedOrder(all, filter, sort);
        const size = 4;
        for (let p = 1; p <= Math.ceil(expected.length / size); p++) {
          const result = await service.list({ page: p, size, sort, filter });
          expect(result.totalItems).toBe(expected.length);
          expect(result.items).toEqual(expected.slice((p - 1) * size, p * size));
        }
      }
    });

    test('a revoked session stays revoked, across migrations, and no other session is', async () => {
      const revocations = store.sessionRevocations;
      const sessionId = crypto.randomBytes(16).toString('base64url');
      const other = crypto.randomBytes(16).toString('base64url');
      const inAnHour = new Date(Date.now() + 3_600_000);
      expect(await revocations.isRevoked(sessionId)).toBe(false);
      await revocations.revoke(sessionId, inAnHour);
      await revocations.revoke(sessionId, inAnHour);
      expect(await revocations.isRevoked(sessionId)).toBe(true);
      expect(await revocations.isRevoked(other)).toBe(false);
      await store.migrate();
      expect(await revocations.isRevoked(sessionId)).toBe(true);
    });

    test('session ids are parameters, never SQL; ids a store cannot hold are refused', async () => {
      const revocations = store.sessionRevocations;
      const hostile = `'; DROP TABLE revoked_sessions;-- ${crypto.randomBytes(8).toString('hex')}`;
      await revocations.revoke(hostile, new Date(Date.now() + 60_000));
      expect(await revocations.isRevoked(hostile)).toBe(true);
      expect(await revocations.isRevoked(hostile.toUpperCase())).toBe(false);
      await expect(revocations.revoke('x'.repeat(65), new Date(Date.now() + 60_000))).rejects.toThrow(
        'a session id must be 1 to 64 characters; got 65',
      );
      await expect(revocations.isRevoked('')).rejects.toThrow('a session id must be 1 to 64 characters; got 0');
    });

    test('revocations past their expiry are purged by later sign-outs', async () => {
      const revocations = store.sessionRevocations;
      const expired = crypto.randomBytes(16).toString('base64url');
      const current = crypto.randomBytes(16).toString('base64url');
      await revocations.revoke(expired, new Date(Date.now() - 60_000));
      await revocations.revoke(current, new Date(Date.now() + 60_000));
      expect(await revocations.isRevoked(expired)).toBe(false);
      expect(await revocations.isRevoked(current)).toBe(true);
    });

    test('ping answers', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    (openWithFault ? test : test.skip)(
      'while the database is unavailable, writes are 503 with Retry-After and nothing is half-written; ' +
        'readiness fails, and all recover by themselves when it is back',
      async () => {
        const f = await openWithFault!();
        const app = appOn(f.store);
        const body = (userId: string): Record<string, unknown> => ({ ...validOrder({ userId }), cardNumber: '4111-1111-1111-1111' });
        try {
          await request(app).post('/api/orders').send(body('before')).expect(201);
          await f.begin();
          const refused = await request(app).post('/api/orders').send(body('during'));
          expect(refused.status).toBe(503);
          expect(refused.headers['retry-after']).toMatch(/^\d+$/);
          expect(refused.body.detail).toMatch(/database/);
          expect(refused.text).not.toMatch(/at \w+ \(/);
          expect(await statusTurns(app, '/readyz', 503, 10_000)).toBe(true);
          await f.end();
          expect(await statusTurns(app, '/readyz', 200, 20_000)).toBe(true);
          await request(app).post('/api/orders').send(body('during')).expect(201);
          expect(await f.store.get(validOrder().dateUuid, 'during')).toEqual(validOrder({ userId: 'during' }));
          expect(await f.store.total()).toBe(2);
        } finally {
          await f.store.close();
          await f.close();
        }
      },
      60_000,
    );
  });
}
