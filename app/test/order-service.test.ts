import fc from 'fast-check';
import { SORT_FIELDS, sortKeyOf, type OrderFilter, type OrderSort, type PageRequest } from '../src/domain/order-query';
import { DuplicateOrderError, OrderService, PageTooDeepError } from '../src/service/order-service';
import type { OrderStore } from '../src/store/order-store';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { contractOrders, expectedOrder, prefixOrders } from './order-store.contract';
import { validOrder } from './helpers';

async function seeded(bucketRows = 2, orders = contractOrders()): Promise<SqliteOrderStore> {
  const store = new SqliteOrderStore({ file: ':memory:', bucketRows });
  await store.migrate();
  for (const o of orders) await store.insert(o);
  return store;
}

const FILTERS: OrderFilter[] = [
  {},
  { storeCode: 'store-1' },
  { orderDateFrom: '2026-05-04' },
  { orderDateFrom: '2026-05-02', orderDateTo: '2026-05-06' },
  { userId: 'user-2', orderDateTo: '2026-05-07' },
  { productCode: 'P-1', storeCode: 'store-0' },
  { userId: 'nobody' },
  // Prefixes in another case: of several values, and of one.
  { userId: 'USER-' },
  { storeCode: 'Store-1', orderDateFrom: '2026-05-03' },
  { productCode: 'p', userId: 'User-2' },
];

test('property: every page, by number or by cursor, equals the same slice of the reference ordering, whichever plan reads it', async () => {
  const orders = contractOrders();
  const store = await seeded();
  // maxWalk 0 refuses every walked page but the first: those are checked below.
  const services = [new OrderService(store), new OrderService(store, { maxWalk: 0 })];
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 1, max: 30 }),
      fc.constantFrom(...SORT_FIELDS),
      fc.constantFrom('asc' as const, 'desc' as const),
      fc.constantFrom(...FILTERS),
      fc.constantFrom(0, 1),
      async (size, page, field, direction, filter, which) => {
        const service = services[which]!;
        const sort: OrderSort = { field, direction };
        const expected = expectedOrder(orders, filter, sort);
        const totalPages = Math.max(1, Math.ceil(expected.length / size));
        let result;
        try {
          result = await service.list({ page, size, sort, filter });
        } catch (err) {
          expect(err).toBeInstanceOf(PageTooDeepError);
          expect(which).toBe(1);
          return;
        }
        expect(result.totalItems).toBe(expected.length);
        expect(result.totalPages).toBe(totalPages);
        expect(result.page).toBe(Math.min(page, totalPages));
        const start = (result.page - 1) * size;
        expect(result.offset).toBe(start);
        expect(result.items).toEqual(expected.slice(start, start + size));
        expect([result.hasPrevious, result.hasNext]).toEqual([start > 0, start + size < expected.length]);
        // The Next and Previous cursors of this page give the neighbouring slices.
        if (result.items.length > 0) {
          const last = sortKeyOf(result.items[result.items.length - 1]!, sort.field);
          const next = await service.list({ page: result.page + 1, size, sort, filter, cursor: { direction: 'after', key: last } });
          expect(next.items).toEqual(expected.slice(start + size, start + 2 * size));
          const first = sortKeyOf(result.items[0]!, sort.field);
          const previous = await service.list({
            page: Math.max(1, result.page - 1),
            size,
            sort,
            filter,
            cursor: { direction: 'before', key: first },
          });
          expect(previous.items).toEqual(expected.slice(Math.max(0, start - size), start));
          expect([previous.hasPrevious, next.hasNext]).toEqual([start - size > 0, start + 2 * size < expected.length]);
        }
      },
    ),
    { numRuns: 400 },
  );
  await store.close();
});

/** A store that records what the service asked of it. */
function recording(store: OrderStore): { store: OrderStore; calls: string[] } {
  const calls: string[] = [];
  const wrapped = Object.create(store) as OrderStore;
  for (const name of ['page', 'count', 'rank', 'rowAtRank', 'total'] as const) {
    const original = store[name].bind(store) as (...args: unknown[]) => Promise<unknown>;
    (wrapped as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const req = args[0] as PageRequest;
      calls.push(name === 'page' ? `page(skip ${req.skip}, via ${req.via ?? '-'})` : name === 'count' ? `count(via ${String(args[1])})` : name);
      return original(...args);
    };
  }
  return { store: wrapped, calls };
}

test('a deep page of a filter that lies together in its index is a seek: no count, no skip past the bucket', async () => {
  const base = await seeded(2);
  const { store, calls } = recording(base);
  const service = new OrderService(store);
  const result = await service.list({ page: 4, size: 2, sort: { field: 'orderDate', direction: 'asc' }, filter: { storeCode: 'store-1' } });
  expect(result.items).toEqual(expectedOrder(contractOrders(), { storeCode: 'store-1' }, { field: 'orderDate', direction: 'asc' }).slice(6, 8));
  expect(calls).not.toContain('count(via storeCode)');
  expect(calls.filter((c) => c.startsWith('page')).every((c) => c.startsWith('page(skip 0'))).toBe(true);
  expect(calls).toContain('rowAtRank');
});

test('a filter with no index of its own is read through the smallest range that holds it, and counted there', async () => {
  const { store, calls } = recording(await seeded());
  const service = new OrderService(store);
  // store-0 has 8 orders, P-1 has 5: the product's range is the smaller one.
  await service.list({ page: 1, size: 2, sort: { field: 'userId', direction: 'asc' }, filter: { productCode: 'P-1', storeCode: 'store-0' } });
  expect(calls).toContain('count(via productCode)');
  expect(calls).toContain('page(skip 0, via productCode)');
});

test("a prefix under its own column's sort is one run of that index: a deep page is a seek, with no count", async () => {
  const { store, calls } = recording(await seeded(2));
  const service = new OrderService(store);
  const sort: OrderSort = { field: 'userId', direction: 'desc' };
  const result = await service.list({ page: 3, size: 4, sort, filter: { userId: 'USER-' } });
  expect(result.items).toEqual(expectedOrder(contractOrders(), { userId: 'user-' }, sort).slice(8, 12));
  expect(result.totalItems).toBe(23);
  expect(calls.some((c) => c.startsWith('count'))).toBe(false);
  expect(calls).toContain('rowAtRank');
});

test('a prefix whose matches all have one value is read as that value under the date sort: a seek, with no count', async () => {
  const { store, calls } = recording(await seeded(2));
  const service = new OrderService(store);
  const sort: OrderSort = { field: 'orderDate', direction: 'asc' };
  const result = await service.list({ page: 3, size: 2, sort, filter: { storeCode: 'STORE-1' } });
  expect(result.items).toEqual(expectedOrder(contractOrders(), { storeCode: 'store-1' }, sort).slice(4, 6));
  expect(calls.some((c) => c.startsWith('count'))).toBe(false);
  expect(calls).toContain('rowAtRank');
});

test('a prefix of several values under the date sort is read through its own range and counted there', async () => {
  const orders = prefixOrders();
  const { store, calls } = recording(await seeded(2, orders));
  const service = new OrderService(store);
  const sort: OrderSort = { field: 'orderDate', direction: 'desc' };
  const filter: OrderFilter = { storeCode: 'gb-88' };
  const expected = expectedOrder(orders, filter, sort);
  expect(new Set(expected.map((o) => o.storeCode)).size).toBeGreaterThan(1);
  const result = await service.list({ page: 2, size: 3, sort, filter });
  expect(result.items).toEqual(expected.slice(3, 6));
  expect(result.totalItems).toBe(expected.length);
  expect(calls).toContain('count(via storeCode)');
  expect(calls).toContain('page(skip 3, via storeCode)');
});

test('a deep page of a prefix walked under the date sort is refused with the sort that reaches it: the filtered column', async () => {
  const orders = Array.from({ length: 3000 }, (_, i) =>
    validOrder({
      dateUuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      storeCode: `S-${i % 20}`,
      orderDate: `2026-0${1 + (i % 5)}-${String(1 + (i % 28)).padStart(2, '0')}`,
    }),
  );
  const service = new OrderService(await seeded(50, orders), { maxWalk: 400 });
  const sort: OrderSort = { field: 'orderDate', direction: 'desc' };
  const filter: OrderFilter = { storeCode: 's-1' };
  const first = await service.list({ page: 1, size: 10, sort, filter });
  expect(first.items).toEqual(expectedOrder(orders, filter, sort).slice(0, 10));
  expect([first.totalItems, first.totalExact]).toEqual([expectedOrder(orders, filter, sort).length, true]);
  await expect(service.list({ page: 50, size: 10, sort, filter })).rejects.toThrow(
    'Use the Next and Previous links, sort by Store Code, or narrow the filter.',
  );
  await expect(service.list({ page: 50, size: 10, sort: { field: 'storeCode', direction: 'asc' }, filter })).resolves.toMatchObject({ page: 50 });
});

test('a page that would walk more of the index than allowed is refused with a message naming the page; the ends stay reachable', async () => {
  const orders = Array.from({ length: 3000 }, (_, i) =>
    validOrder({
      dateUuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      userId: `user-${i % 50}`,
      orderDate: `2026-0${1 + (i % 5)}-${String(1 + (i % 28)).padStart(2, '0')}`,
    }),
  );
  const store = await seeded(50, orders);
  const service = new OrderService(store, { maxWalk: 400 });
  const sort: OrderSort = { field: 'userId', direction: 'asc' };
  // About half the orders match: too many to sort, so the user index is walked.
  const filter: OrderFilter = { orderDateFrom: '2026-03-01' };
  const expected = expectedOrder(orders, filter, sort);
  const first = await service.list({ page: 1, size: 10, sort, filter });
  expect(first.items).toEqual(expected.slice(0, 10));
  expect(first.totalItems).toBe(expected.length);
  const lastPage = Math.ceil(expected.length / 10);
  expect((await service.list({ page: lastPage, size: 10, sort, filter })).items).toEqual(expected.slice((lastPage - 1) * 10));
  await expect(service.list({ page: Math.floor(lastPage / 2), size: 10, sort, filter })).rejects.toThrow(
    `Query parameter "page": page ${Math.floor(lastPage / 2)} of this filter under this sort cannot be reached directly`,
  );
  // Cursors still move through the middle.
  const middle = expected[Math.floor(expected.length / 2)]!;
  const next = await service.list({ page: 2, size: 10, sort, filter, cursor: { direction: 'after', key: sortKeyOf(middle, sort.field) } });
  expect(next.items).toEqual(expected.slice(Math.floor(expected.length / 2) + 1, Math.floor(expected.length / 2) + 11));
  await store.close();
});

test('counts and pages follow a write at once', async () => {
  const store = await seeded();
  const service = new OrderService(store);
  const params = { page: 1, size: 5, sort: { field: 'orderDate' as const, direction: 'desc' as const }, filter: {} };
  expect((await service.list(params)).totalItems).toBe(23);
  const newest = validOrder({ dateUuid: '99999999-0000-4000-8000-000000000000', orderDate: '2026-06-01' });
  await service.create(newest);
  const after = await service.list(params);
  expect(after.totalItems).toBe(24);
  expect(after.items[0]).toEqual(newest);
  const last = await service.list({ ...params, page: 5 });
  expect(last.items).toEqual(expectedOrder([...contractOrders(), newest], {}, params.sort).slice(20));
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

test('create stores text in Unicode NFC even when the caller did not validate, so NFD and NFC are one key', async () => {
  const store = await seeded(2, []);
  const service = new OrderService(store);
  await service.create(validOrder({ userId: 'Jose\u0301', storeCode: 'Cafe\u0301' }));
  expect((await store.get(validOrder().dateUuid, 'Jos\u00e9'))!.storeCode).toBe('Caf\u00e9');
  await expect(service.create(validOrder({ userId: 'Jos\u00e9' }))).rejects.toBeInstanceOf(DuplicateOrderError);
  expect((await service.get(validOrder().dateUuid, 'Jose\u0301'))!.userId).toBe('Jos\u00e9');
});
