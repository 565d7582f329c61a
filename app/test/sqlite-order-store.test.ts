import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { demoOrders } from '../src/domain/demo-orders';
import { validateOrder } from '../src/domain/order-validation';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { orderStoreContract } from './order-store.contract';

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
