import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Order } from '../domain/order';
import { SORT_KEYS, type OrderFilter, type OrderSort, type PageRequest, type SortKey } from '../domain/order-query';
import type { Anchors, InsertResult, OrderStore } from './order-store';
import {
  arrayToOrder,
  INDEXES,
  listQuery as buildListQuery,
  RAW_COLUMNS,
  SQL_COLUMNS,
  type SqlFragment,
} from './sql-columns';

export interface SqliteOrderStoreProps {
  /** Database file, or `:memory:`. Parent folders are created. */
  readonly file: string;
  /** How long a writer waits for a lock, in milliseconds. @default 5000 */
  readonly busyTimeoutMs?: number;
}

const MIGRATIONS: readonly { readonly id: string; readonly sql: string }[] = [
  {
    id: '001_create_orders',
    sql: `CREATE TABLE IF NOT EXISTS orders (
      date_uuid TEXT NOT NULL,
      [User ID] TEXT NOT NULL,
      [Card Number] TEXT NOT NULL,
      [Store Code] TEXT NOT NULL,
      product_code TEXT NOT NULL,
      [Product Quantity] INTEGER NOT NULL,
      [Order Date] TEXT NOT NULL,
      [Shipping Date] TEXT NOT NULL,
      PRIMARY KEY (date_uuid, [User ID])
    )`,
  },
  {
    id: '002_list_indexes',
    sql: INDEXES.map((ix) => `CREATE INDEX IF NOT EXISTS ${ix.name} ON orders (${ix.columns.map((c) => SQL_COLUMNS[c]).join(', ')})`).join(';\n'),
  },
  {
    // Who created the order (sign-in). A new nullable column: the seed's columns are untouched.
    id: '003_created_by',
    sql: 'ALTER TABLE orders ADD COLUMN created_by TEXT',
  },
];

/** Inserts one order; a duplicate key changes nothing (`changes` is 0). */
const INSERT_SQL = `INSERT INTO orders (${RAW_COLUMNS}, created_by)
  VALUES (@dateUuid, @userId, @cardNumber, @storeCode, @productCode, @productQuantity, @orderDate, @shippingDate, @createdBy)
  ON CONFLICT DO NOTHING`;

/** Time a long operation may hold the event loop before yielding, in milliseconds. */
const YIELD_AFTER_MS = 8;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The embedded default store: one SQLite file in WAL mode. better-sqlite3 is synchronous,
 * which is the fastest way to use SQLite from Node; long work (building anchors) is cut
 * into slices so it never blocks the event loop for long.
 */
export class SqliteOrderStore implements OrderStore {
  public readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private localWrites = 0;

  constructor(props: SqliteOrderStoreProps) {
    if (props.file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(props.file)), { recursive: true });
    this.db = new Database(props.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`busy_timeout = ${props.busyTimeoutMs ?? 5000}`);
    this.db.pragma('synchronous = NORMAL');
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS app_schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const applied = new Set(this.db.prepare('SELECT id FROM app_schema_migrations').pluck().all() as string[]);
    for (const m of MIGRATIONS) {
      if (applied.has(m.id)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO app_schema_migrations (id, applied_at) VALUES (?, ?)').run(m.id, new Date().toISOString());
      }).immediate();
    }
  }

  async insert(order: Order, createdBy?: string): Promise<InsertResult> {
    const info = this.stmt(INSERT_SQL).run({ ...order, createdBy: createdBy ?? null });
    if (info.changes === 0) return 'duplicate';
    this.localWrites++;
    return 'inserted';
  }

  async creatorOf(dateUuid: string, userId: string): Promise<string | null | undefined> {
    const row = this.stmt(`SELECT created_by AS createdBy FROM orders WHERE ${SQL_COLUMNS.dateUuid} = ? AND ${SQL_COLUMNS.userId} = ?`).get(dateUuid, userId) as { createdBy: string | null } | undefined;
    return row ? row.createdBy : undefined;
  }

  /**
   * Loads many orders fast (the seed script): list indexes are dropped during the load and
   * rebuilt after it, and the page cache is enlarged. Duplicates are skipped. Returns how
   * many orders were new.
   */
  async bulkLoad(orders: Iterable<Order>, onProgress?: (loaded: number) => void, batchSize = 20_000): Promise<number> {
    const cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma('cache_size = -262144');
    for (const ix of INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${ix.name}`);
    const stmt = this.stmt(INSERT_SQL);
    const insertBatch = this.db.transaction((rows: readonly Order[]) => rows.reduce((sum, o) => sum + stmt.run({ ...o, createdBy: null }).changes, 0));
    let inserted = 0;
    let seen = 0;
    try {
      let batch: Order[] = [];
      for (const order of orders) {
        batch.push(order);
        if (batch.length === batchSize) {
          inserted += insertBatch(batch);
          seen += batch.length;
          batch = [];
          onProgress?.(seen);
          await yieldToEventLoop();
        }
      }
      inserted += insertBatch(batch);
      onProgress?.(seen + batch.length);
    } finally {
      this.db.exec(MIGRATIONS.find((m) => m.id === '002_list_indexes')!.sql);
      this.db.exec('ANALYZE');
      this.db.pragma(`cache_size = ${cacheSize}`);
      this.localWrites++;
    }
    return inserted;
  }

  async get(dateUuid: string, userId: string): Promise<Order | undefined> {
    const row = this.stmt(`SELECT ${RAW_COLUMNS} FROM orders WHERE date_uuid = @dateUuid AND [User ID] = @userId`).raw().get({ dateUuid, userId });
    return row ? arrayToOrder(row as unknown[]) : undefined;
  }

  async page(request: PageRequest): Promise<Order[]> {
    // Raw rows mapped by position: better-sqlite3's named-column objects cost ~40 µs a page (measured).
    const { sql, params } = this.listQuery(request.filter, request.sort, request.from, RAW_COLUMNS);
    const rows = this.stmt(`${sql} LIMIT @limit OFFSET @skip`).raw().all({ ...params, limit: request.limit, skip: request.skip });
    return (rows as unknown[][]).map(arrayToOrder);
  }

  async anchors(filter: OrderFilter, sort: OrderSort, every: number): Promise<Anchors> {
    const keyFields = SORT_KEYS[sort.field];
    const keyColumns = keyFields.map((f) => SQL_COLUMNS[f]).join(', ');
    const top = this.listQuery(filter, sort, undefined, keyColumns);
    const first = this.stmt(`${top.sql} LIMIT 1`).raw().get(top.params) as SortKey | undefined;
    if (!first) return { keys: [], total: 0 };
    const keys: SortKey[] = [first];
    let sliceStart = performance.now();
    for (;;) {
      const from = { key: keys[keys.length - 1]!, inclusive: true };
      const q = this.listQuery(filter, sort, from, keyColumns);
      const next = this.stmt(`${q.sql} LIMIT 1 OFFSET @skip`).raw().get({ ...q.params, skip: every }) as SortKey | undefined;
      if (!next) {
        const rest = this.stmt(`SELECT COUNT(*) FROM (${q.sql} LIMIT @limit)`).pluck().get({ ...q.params, limit: every }) as number;
        return { keys, total: (keys.length - 1) * every + rest };
      }
      keys.push(next);
      if (performance.now() - sliceStart > YIELD_AFTER_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  }

  async changeToken(): Promise<string> {
    return `${this.localWrites}:${this.stmt('PRAGMA data_version').pluck().get() as number}`;
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private listQuery(filter: OrderFilter, sort: OrderSort, from: PageRequest['from'], columns: string): SqlFragment {
    return buildListQuery('orders', columns, filter, sort, from, 'row-values');
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
