import { SqliteOrderStore } from './src/store/sqlite-order-store';
import { OrderService } from './src/service/order-service';
(async () => {
  const store = new SqliteOrderStore({ file: 'bench-results/bench-1000000.db' });
  await store.migrate();
  const svc = new OrderService(store);
  const time = async (name: string, f: () => Promise<unknown>, n = 50) => {
    await f();
    const t = performance.now();
    for (let i = 0; i < n; i++) await f();
    console.log(name, ((performance.now() - t) / n).toFixed(3), 'ms');
  };
  const sort = { field: 'orderDate' as const, direction: 'desc' as const };
  await time('page1', () => svc.list({ page: 1, size: 25, sort, filter: {} }));
  await time('page20000', () => svc.list({ page: 20000, size: 25, sort, filter: {} }));
  await time('store page2', () => svc.list({ page: 2, size: 25, sort, filter: { storeCode: 'WEB-0275797R' } }));
  await time('total', () => store.total());
  const k = ['WEB-0275797R', '2025-01-01', 'a', 'b'];
  await time('rank store', () => store.rank('storeCode', k));
  await time('rowAtRank store', () => store.rowAtRank('storeCode', 123456));
  await time('store.page store', () => store.page({ filter: { storeCode: 'WEB-0275797R' }, sort: { field: 'storeCode', direction: 'asc' }, skip: 0, limit: 1, via: 'storeCode' }));
  await time('user from 7d p2', () => svc.list({ page: 2, size: 25, sort: { field: 'userId', direction: 'asc' }, filter: { orderDateFrom: '2026-04-22', orderDateTo: '2026-04-28' } }), 5);
  await time('uuid 7d p1', () => svc.list({ page: 1, size: 25, sort: { field: 'dateUuid', direction: 'asc' }, filter: { orderDateFrom: '2026-05-03', orderDateTo: '2026-05-09' } }), 5);
})();
