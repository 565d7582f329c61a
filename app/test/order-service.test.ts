import fc from 'fast-check';
import { SORT_FIELDS, type OrderSort } from '../src/domain/order-query';
import { DuplicateOrderError, OrderService } from '../src/service/order-service';
import type { OrderStore } from '../src/store/order-store';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { contractOrders, expectedOrder } from './order-store.contract';
import { validOrder } from './helpers';

async function seeded(): Promise<SqliteOrderStore> {
  const store = new SqliteOrderStore({ file: ':memory:' });
  await store.migrate();
  for (const o of contractOrders()) await store.insert(o);
  return store;
}

test('property: every page through the page index equals the same slice of the reference ordering', async () => {
  const store = await seeded();
  const orders = contractOrders();
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 1, max: 30 }),
      fc.constantFrom(...SORT_FIELDS),
      fc.constantFrom('asc' as const, 'desc' as const),
      fc.constantFrom({}, { storeCode: 'store-1' }, { orderDateFrom: '2026-05-04' }),
      async (every, size, page, field, direction, filter) => {
        const service = new OrderService(store, { anchorEvery: every });
        const sort: OrderSort = { field, direction };
        const expected = expectedOrder(orders, filter, sort);
        const result = await service.list({ page, size, sort, filter });
        const totalPages = Math.max(1, Math.ceil(expected.length / size));
        expect(result.totalItems).toBe(expected.length);
        expect(result.totalPages).toBe(totalPages);
        expect(result.page).toBe(Math.min(page, totalPages));
        const start = (result.page - 1) * size;
        expect(result.items).toEqual(expected.slice(start, start + size));
      },
    ),
    { numRuns: 300 },
  );
  await store.close();
});

test('a page past the last one shows the last page', async () => {
  const service = new OrderService(await seeded(), { anchorEvery: 4 });
  const result = await service.list({ page: 999, size: 10, sort: { field: 'orderDate', direction: 'desc' }, filter: {} });
  expect([result.page, result.totalPages, result.items.length]).toEqual([3, 3, 3]);
});

test('the page index is rebuilt after a write, so counts and pages stay exact', async () => {
  const store = await seeded();
  const service = new OrderService(store, { anchorEvery: 4 });
  const params = { page: 1, size: 5, sort: { field: 'orderDate' as const, direction: 'desc' as const }, filter: {} };
  expect((await service.list(params)).totalItems).toBe(23);
  const newest = validOrder({ dateUuid: '99999999-0000-4000-8000-000000000000', orderDate: '2026-06-01' });
  await service.create(newest);
  const after = await service.list(params);
  expect(after.totalItems).toBe(24);
  expect(after.items[0]).toEqual(newest);
});

test('concurrent requests share one page-index build per change', async () => {
  const store = await seeded();
  let builds = 0;
  const counting: OrderStore = Object.assign(Object.create(store) as OrderStore, {
    anchors: (...args: Parameters<OrderStore['anchors']>) => {
      builds++;
      return store.anchors(...args);
    },
  });
  const service = new OrderService(counting, { anchorEvery: 4 });
  const params = { page: 3, size: 5, sort: { field: 'orderDate' as const, direction: 'desc' as const }, filter: {} };
  await Promise.all(Array.from({ length: 10 }, () => service.list(params)));
  expect(builds).toBe(1);
});

test('creating a duplicate throws and leaves the stored order alone', async () => {
  const store = await seeded();
  const service = new OrderService(store);
  const existing = contractOrders()[0]!;
  await expect(service.create({ ...existing, productQuantity: 77 })).rejects.toBeInstanceOf(DuplicateOrderError);
  expect(await service.get(existing.dateUuid.toUpperCase(), existing.userId)).toEqual(existing);
});

test('streams every order of a filtered list in order, across batches', async () => {
  const service = new OrderService(await seeded());
  const sort: OrderSort = { field: 'productCode', direction: 'asc' };
  const seen = [];
  for await (const o of service.stream({ orderDateFrom: '2026-05-02' }, sort, 4)) seen.push(o);
  expect(seen).toEqual(expectedOrder(contractOrders(), { orderDateFrom: '2026-05-02' }, sort));
});

test('rejects a non-positive anchor distance', () => {
  expect(() => new OrderService({} as OrderStore, { anchorEvery: 0 })).toThrow('anchorEvery must be a positive integer; got 0');
});
