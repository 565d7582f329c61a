import sql from 'mssql';
import type { Order, OrderField } from '../domain/order';
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
  type TextFilterField,
} from '../domain/order-query';
import { LOCK_POSITIONS_SQL, MSSQL_KEY_COLLATION, mssqlPositionsMigrationSql } from './mssql-positions';
import { MssqlSessionRevocations } from './mssql-session-revocations';
import type { InsertResult, OrderStore } from './order-store';
import { PositionIndex, type BucketSource, type PositionBucket } from './position-index';
import { BUCKET_ROWS, bucketTable, keyColumns, POSITIONS_META } from './position-buckets';
import {
  compareKeys,
  filterConditions,
  filterParamField,
  indexColumns,
  indexFor,
  INDEXES,
  KEY_COLUMNS,
  listQuery as buildListQuery,
  rowToOrder,
  SELECT_COLUMNS,
  SQL_COLUMNS,
  type SqlFragment,
} from './sql-columns';

/**
 * SQL Server / Azure SQL error numbers and driver codes worth a retry (transient faults;
 * 1205: chosen as a deadlock victim, the statement was rolled back). Numbers: Azure SQL's
 * transient list (4060, 4221, 40143, 40197, 40501, 40613, 49918-49920, 10928, 10929) and
 * transport errors (64, 233, 10053, 10054, 10060). Codes, as tedious and mssql set them:
 * ESOCKET (connect failed or connection lost), ETIMEOUT (connect or request timeout),
 * ECONNRESET, ECLOSE (the connection closed in the middle of a request: a failover),
 * ECONNCLOSED (the pool was not connected). ELOGIN is not here: tedious itself retries the
 * transient login errors (4060, 40613 ...) and what is left is a wrong login.
 */
export const TRANSIENT_ERRORS: ReadonlySet<number | string> = new Set<number | string>([
  40613,
  40197,
  40501,
  49918,
  49919,
  49920,
  10928,
  10929,
  4060,
  4221,
  40143,
  64,
  233,
  10053,
  10054,
  10060,
  1205,
  'ETIMEOUT',
  'ESOCKET',
  'ECONNRESET',
  'ECLOSE',
  'ECONNCLOSED',
]);

/** True when `err` is a transient SQL Server / network fault. */
export function isTransient(err: unknown): boolean {
  const e = err as
    { number?: number; code?: string; originalError?: { number?: number; code?: string; info?: { number?: number } } } | null | undefined;
  const candidates = [e?.number, e?.code, e?.originalError?.number, e?.originalError?.code, e?.originalError?.info?.number];
  return candidates.some((c) => c !== undefined && TRANSIENT_ERRORS.has(c));
}

export interface RetryOptions {
  /** Attempts in all, the first included. @default 4 */
  readonly attempts?: number;
  /** First backoff, doubled each retry, with jitter. @default 200 */
  readonly baseDelayMs?: number;
  /**
   * No retry starts later than this many milliseconds after the first attempt, so attempts
   * that fail slowly (a server that accepts and never answers: each connect waits its full
   * timeout) do not add up to minutes while the client waits. @default 15000
   */
  readonly deadlineMs?: number;
  readonly onRetry?: (err: unknown, attempt: number) => void;
}

/** Runs `work`, retrying transient faults with exponential backoff. Only for idempotent work. */
export async function withRetry<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 200;
  const deadline = Date.now() + (options.deadlineMs ?? 15_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const delay = base * 2 ** (attempt - 1) * (0.5 + Math.random());
      if (attempt >= attempts || !isTransient(err) || Date.now() + delay > deadline) throw err;
      options.onRetry?.(err, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export interface MssqlOrderStoreProps {
  /** A connection string or an `mssql` config object (see `create-order-store.ts`). */
  readonly connection: string | sql.config;
  readonly retry?: RetryOptions;
  /**
   * Target rows per position bucket, written into the trigger when it is created (so it
   * applies when the position index is created; tests use small ones).
   * @default BUCKET_ROWS
   */
  readonly bucketRows?: number;
}

const DATE_FIELDS: ReadonlySet<OrderField> = new Set(['orderDate', 'shippingDate']);

function sqlType(field: OrderField): sql.ISqlType | (() => sql.ISqlType) {
  if (field === 'productQuantity') return sql.Int;
  if (DATE_FIELDS.has(field)) return sql.Date;
  return sql.NVarChar(64);
}

function sqlValue(field: OrderField, value: string | number): unknown {
  return DATE_FIELDS.has(field) ? new Date(`${value}T00:00:00Z`) : value;
}

/**
 * The folded key of a text column (see `foldKey`): a computed column in a binary collation,
 * so that its order is the code order both stores share and a prefix is one range of it
 * (the database's default collation, `SQL_Latin1_General_CP1_CI_AS` on Azure SQL, ignores
 * case but also gives `-` little weight, which would let `GB8847X` into `GB-8847`'s range).
 * `TRANSLATE` over the binary-collated text folds exactly the 26 ASCII letters, as SQLite's
 * `lower()` does. Built-in string functions but FORMAT are deterministic, and the column is
 * precise, so it can be indexed without being persisted. Sessions that write `dbo.orders`
 * need the SET options an index on a computed column requires (tedious's, SSMS's and
 * ODBC's defaults are those).
 */
export function mssqlFoldedKeyColumnSql(field: TextFilterField): string {
  const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const folded = `TRANSLATE(${SQL_COLUMNS[field]} COLLATE ${MSSQL_KEY_COLLATION}, N'${upper}', N'${upper.toLowerCase()}')`;
  return `${KEY_COLUMNS[FOLDED_KEYS[field]]} AS (CAST(${folded} AS NVARCHAR(64)) COLLATE ${MSSQL_KEY_COLLATION})`;
}

const MIGRATION_BATCH =
  `
SET XACT_ABORT ON;
BEGIN TRANSACTION;
DECLARE @lock INT;
EXEC @lock = sp_getapplock @Resource = N'order-app-migrate', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 60000;
IF @lock < 0 THROW 50001, N'The migration lock (order-app-migrate) was not granted within 60 s: another replica is migrating. ` +
  `Restart this one when it is done.', 1;
IF OBJECT_ID(N'dbo.orders', N'U') IS NULL
  CREATE TABLE dbo.orders (
    date_uuid NVARCHAR(36) NOT NULL,
    [User ID] NVARCHAR(64) NOT NULL,
    [Card Number] NVARCHAR(19) NOT NULL,
    [Store Code] NVARCHAR(64) NOT NULL,
    product_code NVARCHAR(64) NOT NULL,
    [Product Quantity] INT NOT NULL,
    [Order Date] DATE NOT NULL,
    [Shipping Date] DATE NOT NULL,
    CONSTRAINT PK_orders PRIMARY KEY (date_uuid, [User ID])
  );
-- The folded keys the text columns sort and filter by: computed columns, not persisted, so
-- adding them changes metadata only; their indexes hold the values.
${TEXT_FILTER_FIELDS.map(
  (f) => `IF COL_LENGTH(N'dbo.orders', N'${KEY_COLUMNS[FOLDED_KEYS[f]]}') IS NULL
  ALTER TABLE dbo.orders ADD ${mssqlFoldedKeyColumnSql(f)};`,
).join('\n')}
-- The raw text columns' indexes (RETIRED_INDEXES) are left for replicas of the release before, which name them in hints.
-- In EXEC: a statement naming a column this batch adds would not compile with the batch.
${INDEXES.map(
  (ix) => `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'${ix.name}' AND object_id = OBJECT_ID(N'dbo.orders'))
  EXEC (N'CREATE INDEX ${ix.name} ON dbo.orders (${indexColumns(ix)})');`,
).join('\n')}
-- Who created the order (sign-in): a new nullable column, the seed's columns untouched.
IF COL_LENGTH(N'dbo.orders', N'created_by') IS NULL
  ALTER TABLE dbo.orders ADD created_by NVARCHAR(256) NULL;
COMMIT TRANSACTION;`;

/**
 * How long the migration may run: longer than the pool's request timeout, because filling
 * the position tables of an existing table reads it once per sort field.
 */
const MIGRATION_TIMEOUT_MS = 10 * 60_000;

/** `pool.request()` with a per-request timeout (an `mssql` option its types do not declare). */
const requestWithTimeout = (pool: sql.ConnectionPool, requestTimeout: number): sql.Request =>
  (pool.request as (this: sql.ConnectionPool, overrides: { requestTimeout: number }) => sql.Request).call(pool, { requestTimeout });

/** The whole migration, one batch in one transaction under an application lock (exported for the tests that read it). */
export const migrationBatch = (bucketRows: number): string =>
  MIGRATION_BATCH.replace('COMMIT TRANSACTION;', `${mssqlPositionsMigrationSql(bucketRows)}\nCOMMIT TRANSACTION;`);

/**
 * Azure SQL / SQL Server store: one connection pool per process, encrypted connections,
 * parameterised queries only, transient faults retried with backoff for idempotent work.
 */
export class MssqlOrderStore implements OrderStore {
  public readonly kind = 'mssql';
  private readonly pool: sql.ConnectionPool;
  private connecting?: Promise<sql.ConnectionPool>;
  private readonly positions: PositionIndex;
  public readonly sessionRevocations = new MssqlSessionRevocations(
    () => this.connected(),
    (work) => this.retry(work),
  );

  constructor(private readonly props: MssqlOrderStoreProps) {
    this.pool = typeof props.connection === 'string' ? new sql.ConnectionPool(props.connection) : new sql.ConnectionPool(props.connection);
    this.pool.on('error', () => undefined);
    const bucketRows = props.bucketRows ?? BUCKET_ROWS;
    // It is written into the trigger's SQL: anything but a positive integer breaks it there.
    if (!Number.isInteger(bucketRows) || bucketRows < 1) throw new Error(`bucketRows must be a positive integer; got ${bucketRows}`);
    this.positions = new PositionIndex(this.buckets);
  }

  /** The server and database the pool connects to (from its settings or connection string), as traces name them. */
  get location(): { readonly server?: string; readonly database?: string } {
    const { connection } = this.props;
    const { server, database } = typeof connection === 'string' ? sql.ConnectionPool.parseConnectionString(connection) : connection;
    return { server, database };
  }

  async migrate(): Promise<void> {
    await this.retry(async () =>
      requestWithTimeout(await this.connected(), MIGRATION_TIMEOUT_MS).batch(migrationBatch(this.props.bucketRows ?? BUCKET_ROWS)),
    );
    await this.sessionRevocations.migrate();
  }

  async insert(order: Order, createdBy?: string): Promise<InsertResult> {
    const columns = Object.keys(SQL_COLUMNS) as OrderField[];
    let attempt = 0;
    return this.retry(async () => {
      attempt++;
      const request = (await this.connected()).request();
      for (const f of columns) request.input(f, sqlType(f), sqlValue(f, order[f]));
      request.input('createdBy', sql.NVarChar(256), createdBy ?? null);
      try {
        // The position index's version row first (see mssql-positions.ts), then the row; the trigger counts it.
        await request.query(`SET XACT_ABORT ON; BEGIN TRANSACTION; ${LOCK_POSITIONS_SQL}
INSERT INTO dbo.orders (${columns.map((f) => SQL_COLUMNS[f]).join(', ')}, created_by) VALUES (${columns.map((f) => `@${f}`).join(', ')}, @createdBy);
COMMIT TRANSACTION;`);
      } catch (err) {
        if (![2627, 2601].includes((err as { number?: number }).number ?? 0)) throw err;
        // A retry after a first attempt that did commit finds our own row: that is success.
        const existing = attempt > 1 ? await this.get(order.dateUuid, order.userId) : undefined;
        if (!existing || JSON.stringify(existing) !== JSON.stringify(order)) return 'duplicate';
      }
      return 'inserted';
    }).finally(() => this.positions.invalidate());
  }

  async creatorOf(dateUuid: string, userId: string): Promise<string | null | undefined> {
    const result = await this.retry(async () =>
      (await this.connected())
        .request()
        .input('dateUuid', sql.NVarChar(36), dateUuid)
        .input('userId', sql.NVarChar(64), userId)
        .query(`SELECT created_by AS createdBy FROM dbo.orders WHERE date_uuid = @dateUuid AND [User ID] = @userId`),
    );
    const row = result.recordset[0] as { createdBy: string | null } | undefined;
    return row ? row.createdBy : undefined;
  }

  async get(dateUuid: string, userId: string): Promise<Order | undefined> {
    const result = await this.retry(async () =>
      (await this.connected())
        .request()
        .input('dateUuid', sql.NVarChar(36), dateUuid)
        .input('userId', sql.NVarChar(64), userId)
        .query(`SELECT ${SELECT_COLUMNS} FROM dbo.orders WHERE date_uuid = @dateUuid AND [User ID] = @userId`),
    );
    const row = result.recordset[0] as Record<string, unknown> | undefined;
    return row ? rowToOrder(row) : undefined;
  }

  async page(request: PageRequest): Promise<Order[]> {
    const q = this.listQuery(request.filter, request.sort, request.from, SELECT_COLUMNS, request.via);
    const result = await this.retry(async () => {
      const r = this.bind((await this.connected()).request(), q, request.sort);
      r.input('skip', sql.Int, request.skip).input('limit', sql.Int, request.limit);
      return r.query(`${q.sql} OFFSET @skip ROWS FETCH NEXT @limit ROWS ONLY`);
    });
    return (result.recordset as Record<string, unknown>[]).map(rowToOrder);
  }

  async count(filter: OrderFilter, via: SortField): Promise<number> {
    const where = filterConditions(filter, 'expanded');
    const q: SqlFragment = {
      sql: `SELECT COUNT_BIG(*) AS n FROM ${this.table(via)}${where.length ? ` WHERE ${where.map((c) => c.sql).join(' AND ')}` : ''}`,
      params: Object.assign({}, ...where.map((c) => c.params)) as Record<string, string | number>,
    };
    return this.scalar(q, { field: via, direction: 'asc' });
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

  /** The bucket tables (see mssql-positions.ts), read by the position index. */
  private readonly buckets: BucketSource = {
    positionsVersion: async () => {
      const result = await this.retry(async () =>
        (await this.connected()).request().query(`SELECT generation, version FROM dbo.${POSITIONS_META} WHERE id = 1`),
      );
      const row = result.recordset[0] as { generation: string | number; version: string | number };
      return { generation: Number(row.generation), version: Number(row.version) };
    },
    positionBuckets: async (field) =>
      this.bucketRows(field, `SELECT ${bucketColumns(field)}, rows FROM dbo.${bucketTable(field)} ORDER BY ${keyColumns(field).join(', ')}`),
    positionBucketsChangedSince: async (field, version) =>
      this.bucketRows(field, `SELECT ${bucketColumns(field)}, rows FROM dbo.${bucketTable(field)} WHERE version > @version`, (r) =>
        r.input('version', sql.BigInt, version),
      ),
    bucketStartOf: async (field, key) => {
      const cols = keyColumns(field);
      const q: SqlFragment = {
        sql: `SELECT TOP (1) ${bucketColumns(field)}, 0 AS rows FROM dbo.${bucketTable(field)} WHERE ${compareKeys(
          cols,
          '<',
          true,
          cols.map((_, i) => `@k${i}`),
        )} ORDER BY ${cols.map((c) => `${c} DESC`).join(', ')}`,
        params: Object.fromEntries(key.map((v, i) => [`k${i}`, v])),
      };
      const [bucket] = await this.bucketRows(field, q.sql, (r) => this.bind(r, q, { field, direction: 'asc' }));
      return bucket!.start;
    },
    countBetween: async (field, start, before) => {
      const cols = keyColumns(field);
      const params = (prefix: string, key: SortKey): string[] => key.map((_, i) => `@${prefix}${i}`);
      const q: SqlFragment = {
        sql:
          `SELECT COUNT_BIG(*) AS n FROM ${this.table(field)} WHERE ` +
          `${compareKeys(cols, '>', true, params('k', start))} AND ${compareKeys(cols, '<', false, params('b', before))}`,
        params: { ...Object.fromEntries(start.map((v, i) => [`k${i}`, v])), ...Object.fromEntries(before.map((v, i) => [`b${i}`, v])) },
      };
      return this.scalar(q, { field, direction: 'asc' });
    },
    rowAt: async (field, start, offset) => {
      const [row] = await this.page({
        filter: {},
        sort: { field, direction: 'asc' },
        from: { key: start, inclusive: true },
        skip: offset,
        limit: 1,
        via: field,
      });
      return row;
    },
  };

  /** Bucket rows as keys in the app's form (dates as YYYY-MM-DD). */
  private async bucketRows(field: SortField, query: string, bindTo: (r: sql.Request) => sql.Request = (r) => r): Promise<PositionBucket[]> {
    const result = await this.retry(async () => bindTo((await this.connected()).request()).query(query));
    return (result.recordset as Record<string, unknown>[]).map((row) => ({
      start: SORT_KEYS[field].map((f, i) => {
        const v = row[`k${i}`];
        return v instanceof Date ? v.toISOString().slice(0, 10) : f === 'productQuantity' ? Number(v) : String(v);
      }),
      rows: Number(row.rows),
    }));
  }

  async ping(): Promise<void> {
    await (await this.connected()).request().query('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private retry<T>(work: () => Promise<T>): Promise<T> {
    return withRetry(work, this.props.retry);
  }

  private async connected(): Promise<sql.ConnectionPool> {
    if (this.pool.connected) return this.pool;
    this.connecting ??= this.pool.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private listQuery(filter: OrderFilter, sort: OrderSort, from: PageRequest['from'], columns: string, via?: SortField): SqlFragment {
    return buildListQuery(via ? this.table(via) : 'dbo.orders', columns, filter, sort, from, 'expanded');
  }

  /** `dbo.orders` read through the index that holds a sort field's order. */
  private table(via: SortField): string {
    return `dbo.orders WITH (INDEX(${indexFor(via) ?? 'PK_orders'}))`;
  }

  private async scalar(q: SqlFragment, sort: OrderSort): Promise<number> {
    const result = await this.retry(async () => this.bind((await this.connected()).request(), q, sort).query(q.sql));
    return Number((result.recordset[0] as { n: number | string }).n);
  }

  /** Binds a fragment's parameters with the SQL types of the columns they are compared with. */
  private bind(request: sql.Request, q: SqlFragment, sort: OrderSort): sql.Request {
    const keyFields = SORT_KEYS[sort.field];
    for (const [name, value] of Object.entries(q.params)) {
      const keyField = filterParamField(name) ?? keyFields[Number(name.slice(1))];
      if (!keyField) throw new Error(`No SQL type for parameter ${name}`);
      const field = baseField(keyField);
      request.input(name, sqlType(field), sqlValue(field, value));
    }
    return request;
  }
}

/** A bucket table's key columns aliased k0..kN. */
const bucketColumns = (field: SortField): string =>
  keyColumns(field)
    .map((c, i) => `${c} AS k${i}`)
    .join(', ');
