import Database from 'better-sqlite3';
import { SORT_FIELDS, SORT_KEYS, sortKeyOf } from '../src/domain/order-query';
import { mssqlSentinelKey } from '../src/store/mssql-positions';
import { compareKeys, listQuery, RAW_COLUMNS } from '../src/store/sql-columns';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { contractOrders, expectedOrder } from './order-store.contract';

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
          const from = { key: sortKeyOf(expected[i]!, sort), inclusive };
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
      const key = sortKeyOf(o, { field, direction: 'asc' });
      key.forEach((v, i) => expect(sentinel[i]! < v).toBe(true));
    }
  }
});
