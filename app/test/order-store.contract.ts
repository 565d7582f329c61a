import type { Order } from '../src/domain/order';
import { SORT_FIELDS, sortKeyOf, type OrderFilter, type OrderSort } from '../src/domain/order-query';
import type { OrderStore } from '../src/store/order-store';
import { validOrder } from './helpers';

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

/** Reference ordering in plain JS: what every store must return. */
export function expectedOrder(orders: readonly Order[], filter: OrderFilter, sort: OrderSort): Order[] {
  const keep = orders.filter(
    (o) =>
      (filter.userId === undefined || o.userId === filter.userId) &&
      (filter.storeCode === undefined || o.storeCode === filter.storeCode) &&
      (filter.productCode === undefined || o.productCode === filter.productCode) &&
      (filter.orderDateFrom === undefined || o.orderDate >= filter.orderDateFrom) &&
      (filter.orderDateTo === undefined || o.orderDate <= filter.orderDateTo),
  );
  const cmp = (a: Order, b: Order): number => {
    const ka = sortKeyOf(a, sort);
    const kb = sortKeyOf(b, sort);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i]! < kb[i]!) return sort.direction === 'asc' ? -1 : 1;
      if (ka[i]! > kb[i]!) return sort.direction === 'asc' ? 1 : -1;
    }
    return 0;
  };
  return keep.sort(cmp);
}

/**
 * The behaviour every `OrderStore` must have. Each store's test file calls this with a
 * factory for a fresh, empty, migrated store.
 */
export function orderStoreContract(name: string, open: () => Promise<OrderStore>): void {
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

    test('the change token moves after a write', async () => {
      const before = await store.changeToken();
      await store.insert(validOrder());
      expect(await store.changeToken()).not.toBe(before);
    });

    test('pages, sorts, filters and seeks exactly like the reference ordering', async () => {
      const orders = contractOrders();
      for (const o of orders) await store.insert(o);
      const filters: OrderFilter[] = [{}, { userId: 'user-1' }, { storeCode: 'store-2' }, { productCode: 'P-0', orderDateFrom: '2026-05-03' }, { orderDateFrom: '2026-05-02', orderDateTo: '2026-05-05' }, { userId: 'nobody' }];
      for (const field of SORT_FIELDS) {
        for (const direction of ['asc', 'desc'] as const) {
          for (const filter of filters) {
            const sort = { field, direction };
            const expected = expectedOrder(orders, filter, sort);
            const all = await store.page({ filter, sort, skip: 0, limit: 100 });
            expect(all.map((o) => o.dateUuid)).toEqual(expected.map((o) => o.dateUuid));
            expect(await store.page({ filter, sort, skip: 2, limit: 3 })).toEqual(expected.slice(2, 5));
            if (expected.length > 4) {
              const from = { key: sortKeyOf(expected[3]!, sort), inclusive: true };
              expect(await store.page({ filter, sort, from, skip: 1, limit: 2 })).toEqual(expected.slice(4, 6));
              expect(await store.page({ filter, sort, from: { ...from, inclusive: false }, skip: 0, limit: 2 })).toEqual(expected.slice(4, 6));
            }
            const anchors = await store.anchors(filter, sort, 4);
            expect(anchors.total).toBe(expected.length);
            expect(anchors.keys).toEqual(expected.filter((_, i) => i % 4 === 0).map((o) => sortKeyOf(o, sort)));
          }
        }
      }
    });

    test('ping answers', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
