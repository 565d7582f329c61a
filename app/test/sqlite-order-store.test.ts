import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { demoOrders } from '../src/domain/demo-orders';
import type { Order } from '../src/domain/order';
import { SORT_FIELDS, sortKeyOf, type OrderFilter, type OrderSort } from '../src/domain/order-query';
import { validateOrder } from '../src/domain/order-validation';
import { OrderService } from '../src/service/order-service';
import { arrayToOrder, RAW_COLUMNS } from '../src/store/sql-columns';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { expectedOrder, expectPositions, orderStoreContract } from './order-store.contract';

// Buckets of two rows, so the data set spans many buckets and inserts split them. The fault:
// another connection holds the write lock (a file store, with a short write deadline).
orderStoreContract(
  'SQLite',
  async () => {
    const store = new SqliteOrderStore({ file: ':memory:', bucketRows: 2 });
    await store.migrate();
    return store;
  },
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-fault-'));
    const file = path.join(dir, 'orders.db');
    const store = new SqliteOrderStore({ file, bucketRows: 2, busyTimeoutMs: 300 });
    await store.migrate();
    const other = new Database(file);
    return {
      store,
      begin: async () => void other.exec('BEGIN EXCLUSIVE'),
      end: async () => void other.exec('ROLLBACK'),
      close: async () => {
        other.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
);

describe('SQLite specifics', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('creates the file and its folder, in WAL mode, with the original table layout plus the nullable created_by', async () => {
    const file = path.join(dir, 'nested', 'orders.db');
    const store = new SqliteOrderStore({ file });
    await store.migrate();
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const columns = (db.prepare('PRAGMA table_info(orders)').all() as { name: string; pk: number }[]).map((c) => [c.name, c.pk]);
    expect(columns).toEqual([
      ['date_uuid', 1],
      ['User ID', 2],
      ['Card Number', 0],
      ['Store Code', 0],
      ['product_code', 0],
      ['Product Quantity', 0],
      ['Order Date', 0],
      ['Shipping Date', 0],
      ['created_by', 0],
    ]);
    db.close();
  });

  test('the created_by migration upgrades a database made before it, keeping its orders', async () => {
    const file = path.join(dir, 'old.db');
    const old = new Database(file);
    old.exec(
      `CREATE TABLE orders (date_uuid TEXT NOT NULL, [User ID] TEXT NOT NULL, [Card Number] TEXT NOT NULL, ` +
        `[Store Code] TEXT NOT NULL, product_code TEXT NOT NULL,
      [Product Quantity] INTEGER NOT NULL, [Order Date] TEXT NOT NULL, [Shipping Date] TEXT NOT NULL, PRIMARY KEY (date_uuid, [User ID]));
      CREATE TABLE app_schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
      INSERT INTO app_schema_migrations VALUES ('001_create_orders', 'then'), ('002_list_indexes', 'then');
      INSERT INTO orders VALUES ('1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', 'user-1', '4111111111111111', 'S', 'P', 1, '2026-06-01', '2026-06-02');`,
    );
    old.close();
    const store = new SqliteOrderStore({ file });
    await store.migrate();
    expect(await store.creatorOf('1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', 'user-1')).toBeNull();
    expect((await store.get('1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', 'user-1'))?.storeCode).toBe('S');
    await store.close();
  });

  test("another process's writes show in this one's positions from the next turn of the event loop, bucket splits included", async () => {
    const file = path.join(dir, 'orders.db');
    const a = new SqliteOrderStore({ file, bucketRows: 3 });
    await a.migrate();
    const b = new SqliteOrderStore({ file });
    const orders = [...demoOrders(40, { seed: 5 })];
    for (const o of orders.slice(0, 20)) await a.insert(o);
    expect(await a.total()).toBe(20);
    const asc = (n: number) =>
      [...orders.slice(0, n)].sort((x, y) =>
        x.storeCode < y.storeCode
          ? -1
          : x.storeCode > y.storeCode
            ? 1
            : x.orderDate < y.orderDate
              ? -1
              : x.orderDate > y.orderDate
                ? 1
                : x.dateUuid < y.dateUuid
                  ? -1
                  : 1,
      );
    expect(await a.rowAtRank('storeCode', 10)).toEqual(asc(20)[10]);
    for (const o of orders.slice(20)) await b.insert(o);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await a.total()).toBe(40);
    for (let i = 0; i < 40; i++) expect(await a.rowAtRank('storeCode', i)).toEqual(asc(40)[i]);
    await a.close();
    await b.close();
  });

  test('an existing database gets its position index when it is migrated, and rows written by hand are counted', async () => {
    const file = path.join(dir, 'legacy.db');
    const legacy = new SqliteOrderStore({ file });
    await legacy.migrate();
    await legacy.close();
    const raw = new Database(file);
    raw.exec(
      "DELETE FROM app_schema_migrations WHERE id = '004_position_buckets'; DROP TRIGGER orders_positions_insert; " +
        'DROP TRIGGER orders_positions_delete; DROP TRIGGER orders_positions_update;',
    );
    const rows = [...demoOrders(30, { seed: 9 })];
    const insert = raw.prepare(
      'INSERT INTO orders (date_uuid, [User ID], [Card Number], [Store Code], product_code, [Product Quantity], [Order Date], [Shipping Date]) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const o of rows) insert.run(o.dateUuid, o.userId, o.cardNumber, o.storeCode, o.productCode, o.productQuantity, o.orderDate, o.shippingDate);
    raw.close();
    const store = new SqliteOrderStore({ file, bucketRows: 4 });
    await store.migrate();
    expect(await store.total()).toBe(30);
    const byUuid = [...rows].sort((x, y) => (x.dateUuid < y.dateUuid ? -1 : 1));
    expect(await store.rowAtRank('dateUuid', 29)).toEqual(byUuid[29]);
    // A row written by another program, straight into the table, is counted by the triggers.
    const other = new Database(file);
    other.prepare('DELETE FROM orders WHERE date_uuid = ?').run(byUuid[0]!.dateUuid);
    other.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await store.total()).toBe(29);
    expect(await store.rowAtRank('dateUuid', 0)).toEqual(byUuid[1]);
    await store.close();
  });

  test('a database of the release before folded keys is upgraded in place: every order kept, text indexes and buckets rebuilt', async () => {
    const file = path.join(dir, 'before.db');
    const before = new Database(file);
    before.exec(fs.readFileSync(path.join(__dirname, 'fixtures', 'sqlite-before-folded-keys.sql'), 'utf8'));
    const orders = (before.prepare(`SELECT ${RAW_COLUMNS} FROM orders`).raw().all() as unknown[][]).map(arrayToOrder);
    before.close();
    expect(orders).toHaveLength(43);
    const store = new SqliteOrderStore({ file, bucketRows: 3 });
    await store.migrate();
    await expectPositions(store, orders);
    for (const filter of [{ storeCode: 'gb-88' }, { userId: 'BOB' }, { storeCode: 'GB-88_' }] as OrderFilter[]) {
      const sort: OrderSort = { field: 'storeCode', direction: 'asc' };
      const expected = expectedOrder(orders, filter, sort);
      expect(expected.length).toBeGreaterThan(0);
      expect(await store.page({ filter, sort, skip: 0, limit: 100, via: 'storeCode' })).toEqual(expected);
    }
    const db = new Database(file);
    const names = (type: string): string[] =>
      (db.prepare('SELECT name FROM sqlite_master WHERE type = ? ORDER BY name').pluck().all(type) as string[]).filter((n) =>
        n.startsWith('ix_orders'),
      );
    expect(names('index')).toEqual([
      'ix_orders_order_date',
      'ix_orders_product_key',
      'ix_orders_product_quantity',
      'ix_orders_shipping_date',
      'ix_orders_store_key',
      'ix_orders_user_key',
    ]);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'order_positions_%' ORDER BY name").pluck().all();
    expect(tables).toEqual([
      'order_positions_date_uuid',
      'order_positions_meta',
      'order_positions_order_date',
      'order_positions_product_key',
      'order_positions_product_quantity',
      'order_positions_shipping_date',
      'order_positions_store_key',
      'order_positions_user_key',
    ]);
    // Writes from outside the app after the upgrade are counted in the new buckets too.
    db.prepare('DELETE FROM orders WHERE date_uuid = ?').run(orders[0]!.dateUuid);
    db.prepare('UPDATE orders SET [Store Code] = ? WHERE date_uuid = ?').run('gb-8800', orders[1]!.dateUuid);
    db.close();
    await new Promise((resolve) => setImmediate(resolve));
    await expectPositions(store, [{ ...orders[1]!, storeCode: 'gb-8800' }, ...orders.slice(2)]);
    await store.close();
  });

  test('bulk load skips duplicates, rebuilds the indexes and reports progress', async () => {
    const store = new SqliteOrderStore({ file: path.join(dir, 'bulk.db') });
    await store.migrate();
    const orders = [...demoOrders(250, { seed: 7 })];
    const progress: number[] = [];
    expect(await store.bulkLoad([...orders, orders[0]!], (n) => progress.push(n), 100)).toBe(250);
    expect(progress).toEqual([100, 200, 251]);
    expect(await store.total()).toBe(250);
    expect(await store.count({}, 'storeCode')).toBe(250);
    await store.close();
  });

  test('demo orders are valid orders', () => {
    for (const order of demoOrders(500, { seed: 3, today: new Date('2026-06-15T00:00:00Z') })) {
      const r = validateOrder(order, 'json', new Date('2026-06-15T00:00:00Z'));
      expect(r).toEqual({ ok: true, value: order });
    }
  });
});

describe('SQLite query plans of text filters', () => {
  /** Runs `work` and returns every statement it ran that binds a store code filter, with its parameters. */
  async function statementsOf(store: SqliteOrderStore, work: () => Promise<unknown>): Promise<{ sql: string; params: unknown }[]> {
    const db = (store as unknown as { db: Database.Database }).db;
    const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
    const originals = { all: proto.all!, get: proto.get! };
    const runs: { sql: string; params: unknown }[] = [];
    for (const name of ['all', 'get'] as const) {
      proto[name] = function (this: Database.Statement, ...args: unknown[]) {
        runs.push({ sql: this.source, params: args[0] });
        return originals[name].apply(this, args);
      };
    }
    try {
      await work();
    } finally {
      Object.assign(proto, originals);
    }
    return runs.filter((r) => r.sql.includes('@fStoreCode'));
  }

  const explain = (store: SqliteOrderStore, run: { sql: string; params: unknown }): string[] =>
    ((store as unknown as { db: Database.Database }).db.prepare(`EXPLAIN QUERY PLAN ${run.sql}`).all(run.params) as { detail: string }[]).map(
      (r) => r.detail,
    );

  // Never analysed (as the app's own databases: only a bulk load runs ANALYZE), and analysed.
  test.each([false, true])(
    'a store code prefix is a range seek in its index under every sort, sorted only when the sort is another column (analysed: %p)',
    async (analysed) => {
      const store = new SqliteOrderStore({ file: ':memory:', bucketRows: 50 });
      await store.migrate();
      for (const o of demoOrders(3000, { seed: 4, today: new Date('2026-06-15T00:00:00Z') })) await store.insert(o);
      if (analysed) (store as unknown as { db: Database.Database }).db.exec('ANALYZE');
      const service = new OrderService(store);
      // About 40 stores start with GB: a prefix, not one whole value.
      const filter: OrderFilter = { storeCode: 'gb' };
      for (const field of SORT_FIELDS) {
        for (const direction of ['asc', 'desc'] as const) {
          const sort: OrderSort = { field, direction };
          const runs = await statementsOf(store, async () => {
            const first = await service.list({ page: 1, size: 10, sort, filter });
            expect(first.items.length).toBe(10);
            await service.list({ page: 3, size: 10, sort, filter });
            const key = sortKeyOf(first.items[first.items.length - 1]!, sort.field);
            await service.list({ page: 2, size: 10, sort, filter, cursor: { direction: 'after', key } });
          });
          expect(runs.length).toBeGreaterThan(0);
          for (const run of runs) {
            const plan = explain(store, run);
            const where = `${field} ${direction}: ${run.sql}\n${plan.join('\n')}`;
            // A seek to the prefix's range (a bound from the filter, the other from it or from the keyset), never a scan.
            expect({
              where,
              seek: /^SEARCH orders USING (COVERING )?INDEX ix_orders_store_key \(.*store_code_key[<>]\?.*\)$/.test(plan[0]!),
            }).toEqual({
              where,
              seek: true,
            });
            // From a keyset, the seek starts at the keyset's row (its row value), not at the prefix's start.
            if (/@k0/.test(run.sql) && /ORDER BY store_code_key/.test(run.sql))
              expect({ where, plan: plan[0] }).toEqual({ where, plan: expect.stringContaining('(store_code_key,') });
            expect({ where, steps: plan.length }).toEqual({ where, steps: /TEMP B-TREE/.test(plan.join()) ? 2 : 1 });
            // Rows come in the index's order unless the sort is another column's (then the range, at most the 'small' plan's rows, is sorted).
            expect({ where, sorts: plan.some((d) => d.includes('TEMP B-TREE')) }).toEqual({
              where,
              sorts: /ORDER BY (?!store_code_key)/.test(run.sql),
            });
          }
          if (field === 'storeCode') expect(runs.filter((r) => /ORDER BY (?!store_code_key)/.test(r.sql))).toEqual([]);
        }
      }
      await store.close();
    },
    30_000,
  );

  test('a store code every match of which has one folded key is compared whole: under the date sort and its own, a seek and no sort', async () => {
    const store = new SqliteOrderStore({ file: ':memory:', bucketRows: 50 });
    await store.migrate();
    const orders: Order[] = [...demoOrders(2000, { seed: 4, today: new Date('2026-06-15T00:00:00Z') })];
    for (const o of orders) await store.insert(o);
    const service = new OrderService(store);
    const filter: OrderFilter = { storeCode: orders[0]!.storeCode.toLowerCase() };
    for (const direction of ['asc', 'desc'] as const) {
      const sort: OrderSort = { field: 'orderDate', direction };
      const runs = await statementsOf(store, async () => {
        const page = await service.list({ page: 2, size: 3, sort, filter });
        expect(page.items).toEqual(expectedOrder(orders, filter, sort).slice(3, 6));
      });
      const whole = runs.filter((r) => r.sql.includes('@fStoreCodeWhole'));
      expect(whole.length).toBeGreaterThan(0);
      for (const run of whole) {
        const plan = explain(store, run);
        expect(plan).toHaveLength(1);
        expect(plan[0]).toMatch(/^SEARCH orders USING INDEX ix_orders_store_key \(store_code_key=\?( AND \(.*\)[<>]\(.*\))?\)$/);
      }
    }
    await store.close();
  });
});
