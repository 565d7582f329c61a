import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppContract } from '../app-contract';
import type { Order } from '../domain/order';
import {
  baseField,
  FOLDED_KEYS,
  SORT_KEYS,
  TEXT_FILTER_FIELDS,
  type OrderFilter,
  type OrderSort,
  type PageRequest,
  type SortField,
  type SortKey,
} from '../domain/order-query';
import type { InsertResult, OrderStore } from './order-store';
import { SqliteSessionRevocations } from './sqlite-session-revocations';
import { PositionIndex, type BucketSource, type PositionBucket } from './position-index';
import { BUCKET_FIELDS, BUCKET_ROWS, bucketTable, keyColumns, POSITIONS_META, RETIRED_BUCKET_TABLES, sentinelKey } from './position-buckets';
import { StoreSetupError, StoreUnavailableError } from './store-errors';
import {
  arrayToOrder,
  filterConditions,
  indexColumns,
  indexFor,
  INDEXES,
  KEY_COLUMNS,
  listQuery as buildListQuery,
  RAW_COLUMNS,
  RETIRED_INDEXES,
  SQL_COLUMNS,
  type SqlFragment,
} from './sql-columns';

export interface SqliteOrderStoreProps {
  /** Database file, or `:memory:`. Parent folders are created. */
  readonly file: string;
  /**
   * How long a write keeps trying while another process holds the write lock, in
   * milliseconds; then it fails as unavailable (503), and readiness fails while the lock
   * stays held longer than this. The waiting is asynchronous (short backoffs on timers), so
   * reads and liveness are never held up by it. @default 5000
   */
  readonly busyTimeoutMs?: number;
  /** Told once, with a message naming SQLITE_PATH, when the database file is found removed or replaced (for the error log). */
  readonly onFault?: (message: string) => void;
  /**
   * Target rows per position bucket. It is written into the database's triggers when the
   * position index is created, so it applies to a new database only (tests use small ones).
   * @default BUCKET_ROWS
   */
  readonly bucketRows?: number;
}

const keyList = (field: SortField): string => keyColumns(field).join(', ');
const keyParams = (field: SortField, prefix = 'k'): string =>
  keyColumns(field)
    .map((_, i) => `@${prefix}${i}`)
    .join(', ');
const keyOrder = (field: SortField, dir: 'ASC' | 'DESC'): string =>
  keyColumns(field)
    .map((c) => `${c} ${dir}`)
    .join(', ');
const keyBind = (key: SortKey, prefix = 'k'): Record<string, string | number> => Object.fromEntries(key.map((v, i) => [`${prefix}${i}`, v]));

/** The bucket tables, their version index and the version row. */
function positionTablesSql(bucketRows: number): string {
  const tables = BUCKET_FIELDS.map((f) => {
    const cols = SORT_KEYS[f].map((k) => `${KEY_COLUMNS[k]} ${k === 'productQuantity' ? 'INTEGER' : 'TEXT'} NOT NULL`).join(', ');
    const t = bucketTable(f);
    // A bucket that an insert took past twice the target is split at the target: one seek
    // and `bucketRows` index steps. (Inserts add one at a time, so one split is enough.)
    return `CREATE TABLE IF NOT EXISTS ${t} (${cols}, rows INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (${keyList(f)}));
CREATE INDEX IF NOT EXISTS ${t}_version ON ${t} (version);
CREATE TRIGGER IF NOT EXISTS ${t}_split AFTER UPDATE OF rows ON ${t} WHEN NEW.rows > ${2 * bucketRows} BEGIN
  INSERT INTO ${t} (${keyList(f)}, rows, version)
    SELECT ${keyList(f)}, NEW.rows - ${bucketRows}, NEW.version FROM orders INDEXED BY ${indexFor(f) ?? 'sqlite_autoindex_orders_1'}
    WHERE (${keyList(f)}) >= (${keyColumns(f)
      .map((c) => `NEW.${c}`)
      .join(', ')}) ORDER BY ${keyOrder(f, 'ASC')} LIMIT 1 OFFSET ${bucketRows};
  UPDATE ${t} SET rows = ${bucketRows} WHERE rowid = NEW.rowid;
END;`;
  });
  return `CREATE TABLE IF NOT EXISTS ${POSITIONS_META} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, generation INTEGER NOT NULL);
INSERT OR IGNORE INTO ${POSITIONS_META} (id, version, generation) VALUES (1, 0, 0);
${tables.join('\n')}`;
}

/** `UPDATE` of the bucket that holds the row `ref` (NEW or OLD) by `delta`. */
function bucketUpdateSql(field: SortField, ref: 'NEW' | 'OLD', delta: '+ 1' | '- 1'): string {
  const t = bucketTable(field);
  const refKey = keyColumns(field)
    .map((c) => `${ref}.${c}`)
    .join(', ');
  // By rowid: SQLite does not use the primary key for a four-column row-value match with a subquery.
  return `UPDATE ${t} SET rows = rows ${delta}, version = (SELECT version FROM ${POSITIONS_META})
    WHERE rowid = (SELECT rowid FROM ${t} WHERE (${keyList(field)}) <= (${refKey}) ORDER BY ${keyOrder(field, 'DESC')} LIMIT 1);`;
}

/** Triggers that keep every bucket's count exact on insert, delete and key updates, from any writer. */
function positionTriggersSql(): string {
  const bump = `UPDATE ${POSITIONS_META} SET version = version + 1;`;
  // The stored columns the keys are made of (a folded key changes with its text column).
  const keyCols = [...new Set(BUCKET_FIELDS.flatMap((f) => SORT_KEYS[f].map((k) => SQL_COLUMNS[baseField(k)])))].join(', ');
  return `CREATE TRIGGER IF NOT EXISTS orders_positions_insert AFTER INSERT ON orders BEGIN
  ${bump}
  ${BUCKET_FIELDS.map((f) => bucketUpdateSql(f, 'NEW', '+ 1')).join('\n  ')}
END;
CREATE TRIGGER IF NOT EXISTS orders_positions_delete AFTER DELETE ON orders BEGIN
  ${bump}
  ${BUCKET_FIELDS.map((f) => bucketUpdateSql(f, 'OLD', '- 1')).join('\n  ')}
END;
CREATE TRIGGER IF NOT EXISTS orders_positions_update AFTER UPDATE OF ${keyCols} ON orders BEGIN
  ${bump}
  ${BUCKET_FIELDS.map((f) => `${bucketUpdateSql(f, 'OLD', '- 1')}\n  ${bucketUpdateSql(f, 'NEW', '+ 1')}`).join('\n  ')}
END;`;
}

const bucketRowsOf = (rows: (string | number)[][]): PositionBucket[] => rows.map((r) => ({ start: r.slice(0, -1), rows: r[r.length - 1] as number }));

const DROP_POSITION_TRIGGERS = ['insert', 'delete', 'update'].map((t) => `DROP TRIGGER IF EXISTS orders_positions_${t};`).join('\n');

/** The list indexes, as they are now. */
const LIST_INDEXES_SQL = INDEXES.map((ix) => `CREATE INDEX IF NOT EXISTS ${ix.name} ON orders (${indexColumns(ix)})`).join(';\n');

/** The sort fields whose keys start with a folded key: their indexes and buckets came with `005_folded_key_indexes`. */
const FOLDED_SORT_FIELDS: readonly SortField[] = TEXT_FILTER_FIELDS;

interface Migration {
  readonly id: string;
  readonly sql: string;
  /** Sort fields whose position buckets are rebuilt from the rows after the SQL (in its transaction). */
  readonly fill?: readonly SortField[];
}

/**
 * Applied in this order, each once. `001b` sits before `002` so that a new database (or
 * the Flask app's table) has the folded keys before the indexes are made of them; a
 * database migrated before it existed runs it after `004`, and then `005` replaces what
 * `002` and `004` built from the raw text columns.
 */
const migrations = (bucketRows: number): readonly Migration[] => [
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
    // The folded keys (see `foldKey`): virtual generated columns, computed when read and stored only in their indexes.
    // SQLite's built-in lower() folds the ASCII letters only, as `foldKey` does.
    id: '001b_folded_keys',
    sql: TEXT_FILTER_FIELDS.map(
      (f) => `ALTER TABLE orders ADD COLUMN ${KEY_COLUMNS[FOLDED_KEYS[f]]} TEXT GENERATED ALWAYS AS (lower(${SQL_COLUMNS[f]})) VIRTUAL`,
    ).join(';\n'),
  },
  {
    id: '002_list_indexes',
    sql: LIST_INDEXES_SQL,
  },
  {
    // Who created the order (sign-in). A new nullable column: the seed's columns are untouched.
    id: '003_created_by',
    sql: 'ALTER TABLE orders ADD COLUMN created_by TEXT',
  },
  {
    // The position index (see position-buckets.ts); filled from the existing rows after the migration.
    id: '004_position_buckets',
    sql: `${positionTablesSql(bucketRows)}\n${positionTriggersSql()}`,
    fill: BUCKET_FIELDS,
  },
  {
    // The text columns sort and filter by their folded keys: their indexes and bucket tables
    // (named after the folded keys) replace the raw columns' ones, filled from the rows.
    id: '005_folded_key_indexes',
    sql: `${RETIRED_INDEXES.map((ix) => `DROP INDEX IF EXISTS ${ix};`).join('\n')}
${RETIRED_BUCKET_TABLES.map((t) => `DROP TABLE IF EXISTS ${t};`).join('\n')}
${LIST_INDEXES_SQL};
${DROP_POSITION_TRIGGERS}
${positionTablesSql(bucketRows)}
${positionTriggersSql()}`,
    fill: FOLDED_SORT_FIELDS,
  },
];

/** Inserts one order; a duplicate key changes nothing (`changes` is 0). */
const INSERT_SQL = `INSERT INTO orders (${RAW_COLUMNS}, created_by)
  VALUES (@dateUuid, @userId, @cardNumber, @storeCode, @productCode, @productQuantity, @orderDate, @shippingDate, @createdBy)
  ON CONFLICT DO NOTHING`;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const codeOf = (err: unknown): string => String((err as { code?: unknown }).code ?? '');
/** Another connection holds a lock this statement needs; nothing was changed. */
const isBusy = (err: unknown): boolean => codeOf(err).startsWith('SQLITE_BUSY');

const SQLITE_PATH = AppContract.env.sqlitePath;

interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** The file's identity, or undefined when nothing is at `file`. */
function identityOf(file: string): FileIdentity | undefined {
  try {
    const st = fs.statSync(file);
    return { dev: st.dev, ino: st.ino };
  } catch (err) {
    if (['ENOENT', 'ENOTDIR'].includes(codeOf(err))) return undefined;
    throw err;
  }
}

const NEEDS_ACCESS = 'give the app read and write access to the file and its folder (SQLite writes -wal and -shm files beside it)';

/** Refuses, with a message naming SQLITE_PATH, a file or folder this process cannot write. */
function assertWritable(given: string, file: string): void {
  const dir = path.dirname(file);
  for (const [target, what] of [
    [file, 'the file'],
    [dir, 'its folder'],
  ] as const) {
    if (target === file && !fs.existsSync(file)) continue;
    try {
      fs.accessSync(target, fs.constants.R_OK | fs.constants.W_OK);
    } catch (err) {
      throw new StoreSetupError(
        `${SQLITE_PATH}=${given}: ${what} (${target}) cannot be written (${codeOf(err) || String(err)}); ${NEEDS_ACCESS}, ` +
          `or set ${SQLITE_PATH} to a writable place.`,
        { cause: err },
      );
    }
  }
}

/**
 * The embedded default store: one SQLite file in WAL mode. better-sqlite3 is synchronous,
 * which is the fastest way to use SQLite from Node. Every statement a request runs is
 * bounded: a seek plus at most a page or a bucket of index steps. The connection never waits
 * for a lock (busy_timeout 0): every write goes through `write()`, which retries on timers,
 * so a lock held by another process cannot stall the event loop (see
 * docs/failure-modes.md, "The database").
 */
export class SqliteOrderStore implements OrderStore {
  public readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly bucketRows: number;
  private readonly positions: PositionIndex;
  public readonly sessionRevocations: SqliteSessionRevocations;
  private readonly busyTimeoutMs: number;
  /** The database file's absolute path (undefined for `:memory:`). */
  private readonly file?: string;
  private readonly identity?: FileIdentity;
  /** The -wal file's identity, once seen: deleting it under a running app loses committed writes too. */
  private walIdentity?: FileIdentity;
  /** Set for good once the file is found removed or replaced. */
  private fileGone?: StoreUnavailableError;
  /** When a write (or readiness probe) first found the write lock held, since the last success. */
  private lockedSince?: number;
  /** A write gave up on the lock, and none has succeeded since. */
  private lockTimedOut = false;

  constructor(private readonly props: SqliteOrderStoreProps) {
    this.busyTimeoutMs = props.busyTimeoutMs ?? 5000;
    this.bucketRows = props.bucketRows ?? BUCKET_ROWS;
    if (!Number.isInteger(this.bucketRows) || this.bucketRows < 1) throw new Error(`bucketRows must be a positive integer; got ${this.bucketRows}`);
    if (props.file !== ':memory:') {
      this.file = path.resolve(props.file);
      try {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
      } catch (err) {
        throw new StoreSetupError(
          `${SQLITE_PATH}=${props.file}: its folder (${path.dirname(this.file)}) cannot be created (${codeOf(err)}); ` +
            `set ${SQLITE_PATH} to a file in a folder the app can create or write.`,
          { cause: err },
        );
      }
      assertWritable(props.file, this.file);
    }
    try {
      this.db = new Database(props.file);
      // Waits here are synchronous (start-up only); every later write retries on timers instead.
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 0');
    } catch (err) {
      if (!this.file) throw err;
      throw new StoreSetupError(
        `${SQLITE_PATH}=${props.file} cannot be opened as a SQLite database (${codeOf(err)}: ${(err as Error).message}); ` +
          `set ${SQLITE_PATH} to a database file, or to a new file name in a folder the app can write, and ${NEEDS_ACCESS}.`,
        { cause: err },
      );
    }
    if (this.file) this.identity = identityOf(this.file);
    this.positions = new PositionIndex(this.buckets);
    this.sessionRevocations = new SqliteSessionRevocations(
      this.db,
      (work) => this.write(work),
      (work) => this.read(work),
    );
  }

  async migrate(): Promise<void> {
    await this.sessionRevocations.migrate();
    await this.write(() => this.db.exec('CREATE TABLE IF NOT EXISTS app_schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)'));
    const applied = new Set(await this.read(() => this.db.prepare('SELECT id FROM app_schema_migrations').pluck().all() as string[]));
    for (const m of migrations(this.bucketRows)) {
      if (applied.has(m.id)) continue;
      const migrate = this.db.transaction(() => {
        // Another replica may have applied it while this one waited for the lock.
        if (this.db.prepare('SELECT 1 FROM app_schema_migrations WHERE id = ?').get(m.id)) return;
        this.db.exec(m.sql);
        if (m.fill) this.fillPositions(m.fill);
        this.db.prepare('INSERT INTO app_schema_migrations (id, applied_at) VALUES (?, ?)').run(m.id, new Date().toISOString());
      });
      await this.write(() => migrate.immediate());
    }
  }

  async insert(order: Order, createdBy?: string): Promise<InsertResult> {
    // The triggers count the row in every position bucket (and split one that grew too large),
    // all in this one statement: an attempt that meets the lock changed nothing, so a retry
    // cannot write the row twice (and ON CONFLICT DO NOTHING would keep it once anyway).
    const info = await this.write(() => this.stmt(INSERT_SQL).run({ ...order, createdBy: createdBy ?? null }));
    this.positions.invalidate();
    return info.changes === 0 ? 'duplicate' : 'inserted';
  }

  private bumpVersion(): number {
    return this.stmt(`UPDATE ${POSITIONS_META} SET version = version + 1 RETURNING version`).pluck().get() as number;
  }

  /**
   * Rebuilds bucket tables from the rows (migration, bulk load): one bucket per `bucketRows`
   * rows of each sort field's index. Runs inside the caller's transaction.
   */
  private fillPositions(fields: readonly SortField[] = BUCKET_FIELDS): void {
    this.positions.invalidate();
    this.stmt(`UPDATE ${POSITIONS_META} SET generation = generation + 1`).run();
    const version = this.bumpVersion();
    for (const field of fields) {
      const t = bucketTable(field);
      this.db.prepare(`DELETE FROM ${t}`).run();
      const add = this.db.prepare(`INSERT INTO ${t} (${keyList(field)}, rows, version) VALUES (${keyParams(field)}, @rows, @version)`);
      const asc: OrderSort = { field, direction: 'asc' };
      const step = this.db
        .prepare(`${this.listQuery({}, asc, { key: sentinelKey(field), inclusive: true }, keyList(field)).sql} LIMIT 1 OFFSET @skip`)
        .raw();
      const rest = this.db
        .prepare(`SELECT COUNT(*) FROM (${this.listQuery({}, asc, { key: sentinelKey(field), inclusive: true }, '1').sql} LIMIT @limit)`)
        .pluck();
      let start: SortKey = sentinelKey(field);
      for (;;) {
        const next = step.get({ ...keyBind(start), skip: this.bucketRows }) as SortKey | undefined;
        if (!next) {
          add.run({ ...keyBind(start), rows: rest.get({ ...keyBind(start), limit: this.bucketRows }) as number, version });
          break;
        }
        add.run({ ...keyBind(start), rows: this.bucketRows, version });
        start = next;
      }
    }
  }

  async creatorOf(dateUuid: string, userId: string): Promise<string | null | undefined> {
    const row = await this.read(
      () =>
        this.stmt(`SELECT created_by AS createdBy FROM orders WHERE ${SQL_COLUMNS.dateUuid} = ? AND ${SQL_COLUMNS.userId} = ?`).get(
          dateUuid,
          userId,
        ) as { createdBy: string | null } | undefined,
    );
    return row ? row.createdBy : undefined;
  }

  /**
   * Loads many orders fast (the seed script): list indexes are dropped during the load and
   * rebuilt after it, and the page cache is enlarged. Duplicates are skipped. Returns how
   * many orders were new.
   */
  async bulkLoad(orders: Iterable<Order>, onProgress?: (loaded: number) => void, batchSize = 20_000): Promise<number> {
    this.checkFile();
    const cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma('cache_size = -262144');
    // A bulk load (start-up seed, seed script) may wait for the lock synchronously, as before.
    this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    for (const ix of INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${ix.name}`);
    this.db.exec(DROP_POSITION_TRIGGERS);
    const stmt = this.stmt(INSERT_SQL);
    const insertBatch = this.db.transaction((rows: readonly Order[]) =>
      rows.reduce((sum, o) => sum + stmt.run({ ...o, createdBy: null }).changes, 0),
    );
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
      this.db.exec(LIST_INDEXES_SQL);
      this.db.exec('ANALYZE');
      this.db
        .transaction(() => {
          this.db.exec(positionTriggersSql());
          this.fillPositions();
        })
        .immediate();
      this.db.pragma(`cache_size = ${cacheSize}`);
      this.db.pragma('busy_timeout = 0');
    }
    return inserted;
  }

  async get(dateUuid: string, userId: string): Promise<Order | undefined> {
    const row = await this.read(() =>
      this.stmt(`SELECT ${RAW_COLUMNS} FROM orders WHERE date_uuid = @dateUuid AND [User ID] = @userId`).raw().get({ dateUuid, userId }),
    );
    return row ? arrayToOrder(row as unknown[]) : undefined;
  }

  async page(request: PageRequest): Promise<Order[]> {
    // Raw rows mapped by position: better-sqlite3's named-column objects cost ~40 µs a page (measured).
    const { sql, params } = this.listQuery(request.filter, request.sort, request.from, RAW_COLUMNS, request.via);
    const rows = await this.read(() =>
      this.stmt(`${sql} LIMIT @limit OFFSET @skip`)
        .raw()
        .all({ ...params, limit: request.limit, skip: request.skip }),
    );
    return (rows as unknown[][]).map(arrayToOrder);
  }

  async count(filter: OrderFilter, via: SortField): Promise<number> {
    const where = filterConditions(filter, 'row-values');
    const sql = `SELECT COUNT(*) FROM ${this.table(via)}${where.length ? ` WHERE ${where.map((c) => c.sql).join(' AND ')}` : ''}`;
    return this.read(
      () =>
        this.stmt(sql)
          .pluck()
          .get(Object.assign({}, ...where.map((c) => c.params))) as number,
    );
  }

  async total(): Promise<number> {
    return this.positions.total();
  }

  async rank(field: SortField, key: SortKey): Promise<number> {
    return this.positions.rank(field, key);
  }

  async rowAtRank(field: SortField, rank: number): Promise<Order | undefined> {
    return this.positions.rowAt(field, rank);
  }

  async changeToken(): Promise<string> {
    return this.positions.token();
  }

  /** The bucket tables, read by the position index. */
  private readonly buckets: BucketSource = {
    positionsVersion: async () => {
      const [generation, version] = await this.read(
        () => this.stmt(`SELECT generation, version FROM ${POSITIONS_META}`).raw().get() as [number, number],
      );
      return { generation, version };
    },
    positionBuckets: async (field) =>
      bucketRowsOf(
        await this.read(
          () =>
            this.stmt(`SELECT ${keyList(field)}, rows FROM ${bucketTable(field)} ORDER BY ${keyOrder(field, 'ASC')}`)
              .raw()
              .all() as (string | number)[][],
        ),
      ),
    positionBucketsChangedSince: async (field, version) =>
      bucketRowsOf(
        await this.read(
          () =>
            this.stmt(`SELECT ${keyList(field)}, rows FROM ${bucketTable(field)} WHERE version > ?`)
              .raw()
              .all(version) as (string | number)[][],
        ),
      ),
    bucketStartOf: async (field, key) =>
      this.read(
        () =>
          this.stmt(
            `SELECT ${keyList(field)} FROM ${bucketTable(field)} WHERE ` +
              `(${keyList(field)}) <= (${keyParams(field)}) ORDER BY ${keyOrder(field, 'DESC')} LIMIT 1`,
          )
            .raw()
            .get(keyBind(key)) as SortKey,
      ),
    countBetween: async (field, start, before) =>
      this.read(
        () =>
          this.stmt(
            `SELECT COUNT(*) FROM ${this.table(field)} ` +
              `WHERE (${keyList(field)}) >= (${keyParams(field)}) AND (${keyList(field)}) < (${keyParams(field, 'b')})`,
          )
            .pluck()
            .get({ ...keyBind(start), ...keyBind(before, 'b') }) as number,
      ),
    rowAt: async (field, start, offset) => {
      const q = this.listQuery({}, { field, direction: 'asc' }, { key: start, inclusive: true }, RAW_COLUMNS, field);
      const row = await this.read(() =>
        this.stmt(`${q.sql} LIMIT 1 OFFSET @skip`)
          .raw()
          .get({ ...q.params, skip: offset }),
      );
      return row ? arrayToOrder(row as unknown[]) : undefined;
    },
  };

  /**
   * Readiness: the file is still the one opened, and a write could start now. The probe takes
   * the write lock without waiting and changes one row inside a transaction it rolls back, so
   * a database this process cannot write fails here too, not only at the first order. A lock
   * held by another process fails it only once held for longer than `busyTimeoutMs`.
   */
  async ping(): Promise<void> {
    this.checkFile();
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.stmt(`UPDATE ${POSITIONS_META} SET id = id`).run();
      } finally {
        this.db.exec('ROLLBACK');
      }
      this.lockedSince = undefined;
      this.lockTimedOut = false;
    } catch (err) {
      if (isBusy(err)) {
        this.lockedSince ??= Date.now();
        if (this.lockTimedOut || Date.now() - this.lockedSince > this.busyTimeoutMs) throw this.lockedError(err);
        return;
      }
      if (codeOf(err).startsWith('SQLITE_READONLY')) {
        throw new StoreUnavailableError(
          'The order database cannot be written right now.',
          `${SQLITE_PATH}=${this.props.file} cannot be written (${codeOf(err)}); ${NEEDS_ACCESS}.`,
          5,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private listQuery(filter: OrderFilter, sort: OrderSort, from: PageRequest['from'], columns: string, via?: SortField): SqlFragment {
    return buildListQuery(via ? this.table(via) : 'orders', columns, filter, sort, from, 'row-values');
  }

  /** `orders` read through the index that holds a sort field's order. */
  private table(via: SortField): string {
    return `orders INDEXED BY ${indexFor(via) ?? 'sqlite_autoindex_orders_1'}`;
  }

  /**
   * Runs one synchronous write (a statement or a transaction: either it commits whole or it
   * fails on the lock before changing anything). While another connection holds the write
   * lock it tries again after 5, 10, 20 ... 100 ms, on timers, so the event loop keeps
   * serving; past `busyTimeoutMs` it fails as unavailable.
   */
  private async write<T>(work: () => T): Promise<T> {
    this.checkFile();
    const result = await this.retryBusy(work, true);
    this.lockedSince = undefined;
    this.lockTimedOut = false;
    return result;
  }

  /** A read, retried like a write in the rare case it meets a lock (WAL readers normally never do). */
  private read<T>(work: () => T): Promise<T> {
    return this.retryBusy(work, false);
  }

  private async retryBusy<T>(work: () => T, isWrite: boolean): Promise<T> {
    const started = Date.now();
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        return work();
      } catch (err) {
        if (!isBusy(err)) throw err;
        if (isWrite) this.lockedSince ??= started;
        if (Date.now() + delay - started > this.busyTimeoutMs) {
          if (isWrite) this.lockTimedOut = true;
          throw this.lockedError(err);
        }
        await sleep(delay);
        if (isWrite) this.checkFile();
      }
    }
  }

  private lockedError(cause: unknown): StoreUnavailableError {
    return new StoreUnavailableError(
      'The order database is busy: another process has held its write lock for too long. Please try again in a moment.',
      `the database write lock has been held by another process for more than ${this.busyTimeoutMs} ms (${SQLITE_PATH}=${this.props.file})`,
      5,
      { cause },
    );
  }

  /**
   * Refuses writes for good once the path no longer names the file that was opened (or its
   * -wal file was deleted): what this process wrote would be gone at the next start.
   */
  private checkFile(): void {
    if (!this.file || !this.identity) return;
    if (this.fileGone) throw this.fileGone;
    const now = identityOf(this.file);
    const wal = identityOf(`${this.file}-wal`);
    this.walIdentity ??= wal;
    const same = (a?: FileIdentity, b?: FileIdentity): boolean => !!a && !!b && a.dev === b.dev && a.ino === b.ino;
    if (same(now, this.identity) && (!this.walIdentity || same(wal, this.walIdentity))) return;
    const what = !now ? 'no file is there now' : !same(now, this.identity) ? 'another file is there now' : 'its -wal file was deleted or replaced';
    const reason =
      `${SQLITE_PATH}=${this.props.file}: the database file was removed or replaced while the app was running ` +
      `(${what}); writes are refused until the app is restarted`;
    this.fileGone = new StoreUnavailableError(
      'The order database file was removed or replaced on the server, so new orders cannot be saved. An operator must restart the app.',
      reason,
    );
    this.props.onFault?.(reason);
    throw this.fileGone;
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
