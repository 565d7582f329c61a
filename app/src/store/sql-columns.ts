import type { Order, OrderField } from '../domain/order';
import { SORT_KEYS, type Cursor, type OrderFilter, type OrderSort } from '../domain/order-query';

/**
 * Column names of the original Flask app's `orders` table, kept so the app can be pointed
 * at the existing database. Both SQLite and SQL Server accept the bracket quoting.
 */
export const SQL_COLUMNS: Readonly<Record<OrderField, string>> = {
  dateUuid: 'date_uuid',
  userId: '[User ID]',
  cardNumber: '[Card Number]',
  storeCode: '[Store Code]',
  productCode: 'product_code',
  productQuantity: '[Product Quantity]',
  orderDate: '[Order Date]',
  shippingDate: '[Shipping Date]',
};

/** `SELECT` list that aliases the legacy column names to the app's field names. */
export const SELECT_COLUMNS = (Object.entries(SQL_COLUMNS) as [OrderField, string][]).map(([field, column]) => `${column} AS ${field}`).join(', ');

/** A `WHERE` fragment with named parameters (`@name`), and the values for them. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: Record<string, string | number>;
}

/** The filter as SQL conditions (all parameterised). */
export function filterConditions(filter: OrderFilter): SqlFragment[] {
  const out: SqlFragment[] = [];
  if (filter.userId !== undefined) out.push({ sql: `${SQL_COLUMNS.userId} = @fUserId`, params: { fUserId: filter.userId } });
  if (filter.storeCode !== undefined) out.push({ sql: `${SQL_COLUMNS.storeCode} = @fStoreCode`, params: { fStoreCode: filter.storeCode } });
  if (filter.productCode !== undefined) out.push({ sql: `${SQL_COLUMNS.productCode} = @fProductCode`, params: { fProductCode: filter.productCode } });
  if (filter.orderDateFrom !== undefined) out.push({ sql: `${SQL_COLUMNS.orderDate} >= @fFrom`, params: { fFrom: filter.orderDateFrom } });
  if (filter.orderDateTo !== undefined) out.push({ sql: `${SQL_COLUMNS.orderDate} <= @fTo`, params: { fTo: filter.orderDateTo } });
  return out;
}

/**
 * The indexes the list needs, one per sortable column, each ending in the sort key's
 * tie-breakers (see `SORT_KEYS`). They also serve the exact-match filters.
 */
export const INDEXES: readonly { readonly name: string; readonly columns: readonly OrderField[] }[] = [
  { name: 'ix_orders_order_date', columns: ['orderDate', 'dateUuid', 'userId'] },
  { name: 'ix_orders_shipping_date', columns: ['shippingDate', 'orderDate', 'dateUuid', 'userId'] },
  { name: 'ix_orders_user_id', columns: ['userId', 'orderDate', 'dateUuid'] },
  { name: 'ix_orders_store_code', columns: ['storeCode', 'orderDate', 'dateUuid', 'userId'] },
  { name: 'ix_orders_product_code', columns: ['productCode', 'orderDate', 'dateUuid', 'userId'] },
  { name: 'ix_orders_product_quantity', columns: ['productQuantity', 'orderDate', 'dateUuid', 'userId'] },
];

/** The index that holds a sort field's order: one of `INDEXES`, or `undefined` for the primary key (Date UUID). */
export function indexFor(field: OrderField): string | undefined {
  return INDEXES.find((ix) => ix.columns[0] === field)?.name;
}

/** Plain column list in `SQL_COLUMNS` order, for raw (array) rows: see `arrayToOrder`. */
export const RAW_COLUMNS = Object.values(SQL_COLUMNS).join(', ');

/** Builds an order from a row read in `RAW_COLUMNS` order (faster than named columns). */
export function arrayToOrder(row: readonly unknown[]): Order {
  return {
    dateUuid: row[0] as string,
    userId: row[1] as string,
    cardNumber: row[2] as string,
    storeCode: row[3] as string,
    productCode: row[4] as string,
    productQuantity: row[5] as number,
    orderDate: row[6] as string,
    shippingDate: row[7] as string,
  };
}

export function rowToOrder(row: Record<string, unknown>): Order {
  const date = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
  return {
    dateUuid: String(row.dateUuid),
    userId: String(row.userId),
    cardNumber: String(row.cardNumber),
    storeCode: String(row.storeCode),
    productCode: String(row.productCode),
    productQuantity: Number(row.productQuantity),
    orderDate: date(row.orderDate),
    shippingDate: date(row.shippingDate),
  };
}

/** How a dialect writes a comparison of a whole sort key. */
export type KeysetStyle = 'row-values' | 'expanded';

/** `ORDER BY` for a sort, every key part in the sort's direction. */
export function orderByClause(keyFields: readonly OrderField[], direction: 'asc' | 'desc'): string {
  return keyFields.map((f) => `${SQL_COLUMNS[f]} ${direction.toUpperCase()}`).join(', ');
}

/**
 * The condition "row is at or after `key`" (or strictly after) in the sort's order, with
 * parameters `@k0..@kN`. SQLite compares row values; SQL Server has no row values, so the
 * comparison is expanded into nested ORs.
 */
export function keysetCondition(
  keyFields: readonly OrderField[],
  direction: 'asc' | 'desc',
  key: readonly (string | number)[],
  inclusive: boolean,
  style: KeysetStyle,
): SqlFragment {
  const op = direction === 'asc' ? '>' : '<';
  const params: Record<string, string | number> = {};
  key.forEach((v, i) => (params[`k${i}`] = v));
  const cols = keyFields.map((f) => SQL_COLUMNS[f]);
  if (style === 'row-values') {
    return { sql: `(${cols.join(', ')}) ${op}${inclusive ? '=' : ''} (${cols.map((_, i) => `@k${i}`).join(', ')})`, params };
  }
  return {
    sql: compareKeys(
      cols,
      op,
      inclusive,
      cols.map((_, i) => `@k${i}`),
    ),
    params,
  };
}

/**
 * `left op right` for two whole keys (lists of SQL expressions) without row values: nested
 * ORs, led by the first column's bound on its own so that SQL Server can seek on it.
 */
export function compareKeys(left: readonly string[], op: '<' | '>', inclusive: boolean, right: readonly string[]): string {
  const last = left.length - 1;
  let sql = `${left[last]} ${op}${inclusive ? '=' : ''} ${right[last]}`;
  for (let i = last - 1; i >= 0; i--) sql = `${left[i]} ${op} ${right[i]} OR (${left[i]} = ${right[i]} AND (${sql}))`;
  return last === 0 ? `(${sql})` : `(${left[0]} ${op}= ${right[0]} AND (${sql}))`;
}

/** `SELECT columns FROM table WHERE filter [AND at-or-after cursor] ORDER BY sort key`, parameterised. */
export function listQuery(
  table: string,
  columns: string,
  filter: OrderFilter,
  sort: OrderSort,
  from: Cursor | undefined,
  style: KeysetStyle,
): SqlFragment {
  const keyFields = SORT_KEYS[sort.field];
  const conditions = filterConditions(filter);
  if (from) conditions.push(keysetCondition(keyFields, sort.direction, from.key, from.inclusive, style));
  const where = conditions.length > 0 ? `WHERE ${conditions.map((c) => c.sql).join(' AND ')}` : '';
  return {
    sql: `SELECT ${columns} FROM ${table} ${where} ORDER BY ${orderByClause(keyFields, sort.direction)}`,
    params: Object.assign({}, ...conditions.map((c) => c.params)) as Record<string, string | number>,
  };
}
