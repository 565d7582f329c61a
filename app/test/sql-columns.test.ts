import Database from 'better-sqlite3';
import { SORT_FIELDS, SORT_KEYS, sortKeyOf, type OrderFilter } from '../src/domain/order-query';
import { mssqlSentinelKey } from '../src/store/mssql-positions';
import { compareCodePoints, compareKeys, filterParamField, listQuery, prefixRange, RAW_COLUMNS } from '../src/store/sql-columns';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { contractOrders, expectedOrder, prefixOrders } from './order-store.contract';

// SQL Server has no row values: its key comparisons are written out as nested ORs
// (`compareKeys`). SQLite runs both forms, so the expanded one is checked here against
// the row-value one and against the reference ordering, for every sort and boundary.

test('the expanded key comparison selects exactly the rows the row-value comparison does, for every sort, bound and direction', async () => {
  const orders = contractOrders();
  const store = new SqliteOrderStore({ file: ':memory:' });
  await store.migrate();
  for (const o of orders) await store.insert(o);
  const db = (store as unknown as { db: Database.Database }).db;
  for (const field of SORT_FIELDS) {
    for (const direction of ['asc', 'desc'] as const) {
      const sort = { field, direction };
      const expected = expectedOrder(orders, {}, sort);
      for (let i = 0; i < expected.length; i++) {
        for (const inclusive of [true, false]) {
          const from = { key: sortKeyOf(expected[i]!, sort.field), inclusive };
          const run = (style: 'expanded' | 'row-values'): string[] => {
            const q = listQuery('orders', RAW_COLUMNS, {}, sort, from, style);
            return (db.prepare(q.sql).raw().all(q.params) as unknown[][]).map((r) => String(r[0]));
          };
          const want = expected.slice(inclusive ? i : i + 1).map((o) => o.dateUuid);
          expect(run('expanded')).toEqual(want);
          expect(run('row-values')).toEqual(want);
        }
      }
    }
  }
  await store.close();
});

test('compareKeys compares whole keys: the first column decides, later ones only break ties', () => {
  const db = new Database(':memory:');
  const holds = (left: (string | number)[], op: '<' | '>', inclusive: boolean, right: (string | number)[]): boolean => {
    const sql = `SELECT ${compareKeys(
      left.map((_, i) => `@l${i}`),
      op,
      inclusive,
      right.map((_, i) => `@r${i}`),
    )}`;
    const params = { ...Object.fromEntries(left.map((v, i) => [`l${i}`, v])), ...Object.fromEntries(right.map((v, i) => [`r${i}`, v])) };
    return db.prepare(sql).pluck().get(params) === 1;
  };
  expect(holds([1, 'b', 'z'], '<', false, [2, 'a', 'a'])).toBe(true);
  expect(holds([2, 'a', 'a'], '<', false, [1, 'b', 'z'])).toBe(false);
  expect(holds([1, 'a', 'z'], '<', false, [1, 'b', 'a'])).toBe(true);
  expect(holds([1, 'b', 'c'], '<', false, [1, 'b', 'c'])).toBe(false);
  expect(holds([1, 'b', 'c'], '<', true, [1, 'b', 'c'])).toBe(true);
  expect(holds([1, 'b', 'd'], '>', true, [1, 'b', 'c'])).toBe(true);
  expect(holds([1, 'b', 'b'], '>', true, [1, 'b', 'c'])).toBe(false);
  expect(holds(['x'], '>', false, ['w'])).toBe(true);
  expect(holds(['w'], '>', false, ['w'])).toBe(false);
  db.close();
});

test('the SQL Server sentinel key sorts before every key of the contract orders, part by part', () => {
  const orders = contractOrders();
  for (const field of SORT_FIELDS) {
    const sentinel = mssqlSentinelKey(field);
    expect(sentinel).toHaveLength(SORT_KEYS[field].length);
    for (const o of orders) {
      const key = sortKeyOf(o, field);
      key.forEach((v, i) => expect(sentinel[i]! < v).toBe(true));
    }
  }
});

test('with prefix filters and date ranges, both key comparisons select the reference rows from every row, whichever bound is kept', async () => {
  const orders = prefixOrders();
  const store = new SqliteOrderStore({ file: ':memory:' });
  await store.migrate();
  for (const o of orders) await store.insert(o);
  const db = (store as unknown as { db: Database.Database }).db;
  const filters: OrderFilter[] = [
    { storeCode: 'gb-88' },
    { userId: 'b', orderDateFrom: '2026-05-03', orderDateTo: '2026-05-07' },
    { productCode: 'A1' },
  ];
  for (const field of SORT_FIELDS) {
    for (const direction of ['asc', 'desc'] as const) {
      for (const filter of filters) {
        const sort = { field, direction };
        // Keys of every row, matching or not, so the keyset lies before, inside and after the filter's range.
        for (const at of expectedOrder(orders, {}, sort)) {
          const from = { key: sortKeyOf(at, sort.field), inclusive: true };
          const all = expectedOrder(orders, filter, sort);
          const want = all.filter((o) => expectedOrder([o, at], {}, sort)[0] === at || o === at).map((o) => o.dateUuid);
          for (const style of ['expanded', 'row-values'] as const) {
            const q = listQuery('orders', RAW_COLUMNS, filter, sort, from, style);
            expect((db.prepare(q.sql).raw().all(q.params) as unknown[][]).map((r) => String(r[0]))).toEqual(want);
          }
        }
      }
    }
  }
  await store.close();
});

test('prefixRange bounds exactly the keys that start with the folded text, by the next character', () => {
  expect(prefixRange('GB-88')).toEqual({ lo: 'gb-88', hi: 'gb-89', exact: true });
  expect(prefixRange('a%')).toEqual({ lo: 'a%', hi: 'a&', exact: true });
  expect(prefixRange('Z')).toEqual({ lo: 'z', hi: '{', exact: true });
  expect(prefixRange('ab😀')).toEqual({ lo: 'ab😀', hi: 'ab😁', exact: true });
  // The next character of U+D7FF, U+FFFF and U+10FFFF differs between the stores' orders: the bound moves one character back.
  expect(prefixRange('ab\uffff')).toEqual({ lo: 'ab\uffff', hi: 'ac', exact: false });
  expect(prefixRange('a\ud7ff\u{10ffff}')).toEqual({ lo: 'a\ud7ff\u{10ffff}', hi: 'b', exact: false });
  expect(prefixRange('\uffff')).toEqual({ lo: '\uffff', exact: false });
});

test('compareCodePoints orders as SQLite does: a character above U+FFFF after every one below it', () => {
  expect(compareCodePoints('a😀', 'a\uffff')).toBeGreaterThan(0);
  expect(['a\uffff', 'a😀'].sort()).toEqual(['a😀', 'a\uffff']);
  expect(compareCodePoints('gb', 'gb-1')).toBeLessThan(0);
  expect(compareCodePoints('2026-05-01', '2026-05-01')).toBe(0);
});

test('every filter parameter is typed as the column it is compared with', () => {
  expect(['fUserIdLo', 'fStoreCodeHi', 'fProductCodeWhole', 'fFrom', 'fTo', 'fStoreCode', 'k0'].map(filterParamField)).toEqual([
    'userId',
    'storeCode',
    'productCode',
    'orderDate',
    'orderDate',
    undefined,
    undefined,
  ]);
});
