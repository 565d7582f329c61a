import { baseField, SORT_KEYS, type KeyField, type SortField, type SortKey } from '../domain/order-query';
import { BUCKET_FIELDS, bucketTable, keyColumns, POSITIONS_META } from './position-buckets';
import { compareKeys, indexFor, SQL_COLUMNS } from './sql-columns';

/**
 * The position index of `position-buckets.ts` for SQL Server / Azure SQL: the same bucket
 * tables, kept by one statement-level trigger on `dbo.orders` (any number of rows per
 * statement), so every replica reads exact counts and nobody rescans the table.
 *
 * Writers serialise on the version row: the trigger bumps it first, so the buckets are
 * always changed in one order and versions commit in order. The app's insert takes that
 * row's lock before it touches `dbo.orders` (see `LOCK_POSITIONS_SQL`): a split reads
 * `dbo.orders`, and a writer holding a new row's lock while waiting for the version row
 * would otherwise deadlock with it. Writers outside the app may still meet a deadlock
 * (error 1205): SQL Server rolls back the victim's whole transaction; the app retries its
 * own, other sessions must retry theirs.
 *
 * An UPDATE that changes no key column (e.g. `created_by`) leaves the buckets alone.
 */

/** The binary collation of the folded keys (see `mssqlFoldedKeyColumnSql`), in `dbo.orders` and in the bucket tables alike. */
export const MSSQL_KEY_COLLATION = 'Latin1_General_100_BIN2';

/**
 * SQL Server type of a bucket column: the same as the `dbo.orders` column. Variables take
 * no collation (T-SQL has none for them); compared with a column, the column's wins.
 */
function columnType(field: KeyField, forVariable = false): string {
  if (field === 'productQuantity') return 'INT';
  if (field === 'orderDate' || field === 'shippingDate') return 'DATE';
  if (field === 'dateUuid') return 'NVARCHAR(36)';
  return field === baseField(field) || forVariable ? 'NVARCHAR(64)' : `NVARCHAR(64) COLLATE ${MSSQL_KEY_COLLATION}`;
}

/** A key below every real one, as SQL Server stores it: the lowest date, an empty string, the lowest INT. */
export function mssqlSentinelKey(field: SortField): SortKey {
  return SORT_KEYS[field].map((f) => (f === 'productQuantity' ? -2147483648 : f === 'orderDate' || f === 'shippingDate' ? '0001-01-01' : ''));
}

const literal = (v: string | number): string => (typeof v === 'number' ? String(v) : `N'${v}'`);
const keyList = (field: SortField, alias = ''): string =>
  keyColumns(field)
    .map((c) => `${alias}${c}`)
    .join(', ');
const keyOrder = (field: SortField, dir: 'ASC' | 'DESC', alias = ''): string =>
  keyColumns(field)
    .map((c) => `${alias}${c} ${dir}`)
    .join(', ');
const keysEqual = (field: SortField, a: string, b: string): string =>
  keyColumns(field)
    .map((c) => `${a}.${c} = ${b}.${c}`)
    .join(' AND ');
/** Every stored column some sort key is made of: an UPDATE that changes none of them moves no row (a folded key moves with its text). */
const KEY_SOURCE_COLUMNS: readonly string[] = [...new Set(BUCKET_FIELDS.flatMap((f) => SORT_KEYS[f].map((k) => SQL_COLUMNS[baseField(k)])))];
const orders = (field: SortField): string => `dbo.orders WITH (INDEX(${indexFor(field) ?? 'PK_orders'}))`;

/** Takes the version row's lock (without changing it) for the rest of the transaction. */
export const LOCK_POSITIONS_SQL = `UPDATE dbo.${POSITIONS_META} SET version = version WHERE id = 1;`;

/** The bucket table of a sort field, with its indexes. */
function bucketTableSql(f: SortField): string {
  const t = `dbo.${bucketTable(f)}`;
  const cols = SORT_KEYS[f].map((k, i) => `${keyColumns(f)[i]} ${columnType(k)} NOT NULL`).join(', ');
  return `CREATE TABLE ${t} (${cols}, rows INT NOT NULL, version BIGINT NOT NULL, CONSTRAINT PK_${bucketTable(f)} PRIMARY KEY (${keyList(f)}));
CREATE INDEX ${bucketTable(f)}_version ON ${t} (version) INCLUDE (rows);
CREATE INDEX ${bucketTable(f)}_rows ON ${t} (rows);`;
}

/** The tables: one row of version and generation, a bucket table per sort field. */
export function mssqlPositionTablesSql(): string {
  return (
    `CREATE TABLE dbo.${POSITIONS_META} (id INT NOT NULL CONSTRAINT PK_${POSITIONS_META} PRIMARY KEY CHECK (id = 1), ` +
    `version BIGINT NOT NULL, generation BIGINT NOT NULL);
INSERT INTO dbo.${POSITIONS_META} (id, version, generation) VALUES (1, 0, 0);
${BUCKET_FIELDS.map(bucketTableSql).join('\n')}`
  );
}

/**
 * Rebuilds every bucket from the rows: one bucket per `bucketRows` rows of each sort
 * field's order, the first starting at the sentinel. One pass over each index; run by the
 * migration only (under its application lock).
 */
export function mssqlFillPositionsSql(bucketRows: number): string {
  const fill = BUCKET_FIELDS.map((f) => {
    const t = `dbo.${bucketTable(f)}`;
    const sentinel = mssqlSentinelKey(f);
    const starts = keyColumns(f)
      .map((c, i) => `CASE WHEN rn = 1 THEN ${literal(sentinel[i]!)} ELSE ${c} END`)
      .join(', ');
    return `DELETE FROM ${t};
INSERT INTO ${t} (${keyList(f)}, rows, version)
  SELECT ${starts}, CASE WHEN @total - rn + 1 < ${bucketRows} THEN @total - rn + 1 ELSE ${bucketRows} END, @version
  FROM (SELECT ${keyList(f)}, ROW_NUMBER() OVER (ORDER BY ${keyOrder(f, 'ASC')}) AS rn FROM ${orders(f)}) AS o
  WHERE (rn - 1) % ${bucketRows} = 0;
IF NOT EXISTS (SELECT 1 FROM ${t}) INSERT INTO ${t} (${keyList(f)}, rows, version) VALUES (${sentinel.map(literal).join(', ')}, 0, @version);`;
  });
  // The shared table lock, held to the end of the migration's transaction, keeps writers
  // that do not take the version row first (older replicas, other sessions) from adding
  // rows between one field's pass and the trigger's creation; readers carry on.
  return `DECLARE @version BIGINT, @total BIGINT;
SELECT @total = COUNT_BIG(*) FROM dbo.orders WITH (TABLOCK, HOLDLOCK);
UPDATE dbo.${POSITIONS_META} SET @version = version = version + 1, generation = generation + 1 WHERE id = 1;
${fill.join('\n')}`;
}

/**
 * The trigger that keeps every bucket's count exact after any INSERT, UPDATE or DELETE
 * statement on `dbo.orders`, then splits every bucket past twice `bucketRows` at
 * `bucketRows` (a seek and `bucketRows` index steps each).
 */
export function mssqlPositionTriggerSql(bucketRows: number): string {
  const blocks = BUCKET_FIELDS.map((f, n) => {
    const t = `dbo.${bucketTable(f)}`;
    const cols = keyColumns(f);
    const vars = cols.map((_, i) => `@s${n}_${i}`);
    const declare = SORT_KEYS[f].map((k, i) => `${vars[i]} ${columnType(k, true)}`).join(', ');
    return `-- ${f}: add or remove one in the bucket each changed row falls into.
WITH moves AS (
  SELECT ${keyList(f, 'b.')}, SUM(d.delta) AS delta
  FROM (SELECT ${keyList(f)}, 1 AS delta FROM inserted UNION ALL SELECT ${keyList(f)}, -1 FROM deleted) AS d
  CROSS APPLY (SELECT TOP (1) ${keyList(f, 'p.')} FROM ${t} AS p WHERE ${compareKeys(
    cols.map((c) => `p.${c}`),
    '<',
    true,
    cols.map((c) => `d.${c}`),
  )} ORDER BY ${keyOrder(f, 'DESC', 'p.')}) AS b
  GROUP BY ${keyList(f, 'b.')}
)
UPDATE p SET rows = p.rows + m.delta, version = @version FROM ${t} AS p JOIN moves AS m ON ${keysEqual(f, 'p', 'm')} WHERE m.delta <> 0;
DECLARE ${declare}, @rows${n} INT;
WHILE 1 = 1
BEGIN
  SELECT TOP (1) ${cols.map((c, i) => `${vars[i]} = ${c}`).join(', ')}, @rows${n} = rows FROM ${t} WHERE rows > ${2 * bucketRows};
  IF @@ROWCOUNT = 0 BREAK;
  INSERT INTO ${t} (${keyList(f)}, rows, version)
    SELECT ${keyList(f)}, @rows${n} - ${bucketRows}, @version FROM ${orders(f)}
    WHERE ${compareKeys(cols, '>', true, vars)} ORDER BY ${keyOrder(f, 'ASC')} OFFSET ${bucketRows} ROWS FETCH NEXT 1 ROWS ONLY;
  UPDATE ${t} SET rows = ${bucketRows}, version = @version WHERE ${cols.map((c, i) => `${c} = ${vars[i]}`).join(' AND ')};
END;`;
  });
  return `CREATE TRIGGER dbo.orders_positions ON dbo.orders AFTER INSERT, UPDATE, DELETE AS
BEGIN
  SET NOCOUNT ON;
  IF NOT EXISTS (SELECT 1 FROM inserted) AND NOT EXISTS (SELECT 1 FROM deleted) RETURN;
  IF EXISTS (SELECT 1 FROM inserted) AND EXISTS (SELECT 1 FROM deleted)
    AND NOT (${KEY_SOURCE_COLUMNS.map((c) => `UPDATE(${c})`).join(' OR ')}) RETURN;
  DECLARE @version BIGINT;
  UPDATE dbo.${POSITIONS_META} SET @version = version = version + 1 WHERE id = 1;
${blocks.join('\n')}
END;`;
}

/**
 * The migration step, inside the migration's transaction: the tables when missing; the
 * trigger when missing, after filling the buckets from the rows (a missing trigger means
 * the counts cannot be trusted: a new table, or `dbo.orders` dropped and created again).
 * A bucket table that is missing while the others are there (the text sorts' tables, when
 * they came with the folded keys) has the trigger dropped too, so it is made again to keep
 * that table, and every bucket is refilled. The tables it no longer keeps
 * (`RETIRED_BUCKET_TABLES`) are left to replicas of the release before.
 */
export function mssqlPositionsMigrationSql(bucketRows: number): string {
  const quoted = (sql: string): string => `N'${sql.replace(/'/g, "''")}'`;
  const missing = BUCKET_FIELDS.map((f) => `OBJECT_ID(N'dbo.${bucketTable(f)}', N'U') IS NULL`);
  // A disabled trigger counted nothing while it was off: drop it, refill, create it again.
  return `IF OBJECT_ID(N'dbo.${POSITIONS_META}', N'U') IS NULL
  EXEC (${quoted(mssqlPositionTablesSql())});
IF OBJECT_ID(N'dbo.orders_positions', N'TR') IS NOT NULL AND (${missing.join('\n  OR ')})
  DROP TRIGGER dbo.orders_positions;
${BUCKET_FIELDS.map(
  (f) => `IF OBJECT_ID(N'dbo.${bucketTable(f)}', N'U') IS NULL
  EXEC (${quoted(bucketTableSql(f))});`,
).join('\n')}
IF EXISTS (SELECT 1 FROM sys.triggers WHERE object_id = OBJECT_ID(N'dbo.orders_positions', N'TR') AND is_disabled = 1)
  DROP TRIGGER dbo.orders_positions;
IF OBJECT_ID(N'dbo.orders_positions', N'TR') IS NULL
BEGIN
  EXEC (${quoted(mssqlFillPositionsSql(bucketRows))});
  EXEC (${quoted(mssqlPositionTriggerSql(bucketRows))});
END;`;
}
