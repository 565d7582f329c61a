import type { Order, OrderField } from '../domain/order';
import {
  FOLDED_KEYS,
  foldKey,
  SORT_KEYS,
  TEXT_FILTER_FIELDS,
  type Cursor,
  type KeyField,
  type OrderFilter,
  type OrderSort,
  type SortField,
  type TextFilterField,
} from '../domain/order-query';

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

/**
 * Columns of every sort key part: the order's columns and the folded keys, which both stores
 * compute from the text columns (a virtual generated column on SQLite, a persisted computed
 * column with a binary collation on SQL Server; see each store's migration).
 */
export const KEY_COLUMNS: Readonly<Record<KeyField, string>> = {
  ...SQL_COLUMNS,
  userIdKey: 'user_id_key',
  storeCodeKey: 'store_code_key',
  productCodeKey: 'product_code_key',
};

/** `SELECT` list that aliases the legacy column names to the app's field names. */
export const SELECT_COLUMNS = (Object.entries(SQL_COLUMNS) as [OrderField, string][]).map(([field, column]) => `${column} AS ${field}`).join(', ');

/** A `WHERE` fragment with named parameters (`@name`), and the values for them. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: Record<string, string | number>;
}

/** The start of a text filter's parameter names: `fStoreCode` (then `Lo`, `Hi` or `Whole`). */
const paramPrefix = (field: TextFilterField): string => `f${field[0]!.toUpperCase()}${field.slice(1)}`;

/**
 * The folded keys that start with `text` (folded): `lo <= key < hi`. `hi` is `lo` with its
 * last character replaced by the next one, which bounds the prefix exactly under both
 * stores' binary orders (SQLite: code points; SQL Server: UTF-16 units; they agree on the
 * next character of anything but U+D7FF, U+FFFF and U+10FFFF). Those three are skipped to
 * the character before them, which bounds a wider range: `exact` is then false, and the
 * condition also compares the key's first characters with `lo`.
 */
export function prefixRange(text: string): { readonly lo: string; readonly hi?: string; readonly exact: boolean } {
  const chars = Array.from(foldKey(text));
  const lo = chars.join('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = chars[i]!.codePointAt(0)!;
    if (c === 0xd7ff || c === 0xffff || c === 0x10ffff) continue;
    return { lo, hi: chars.slice(0, i).join('') + String.fromCodePoint(c + 1), exact: i === chars.length - 1 };
  }
  return { lo, exact: false };
}

/**
 * A filter condition. A bound on one column (`lead <op> value`) says so, so that a list
 * query can drop whichever of it and the keyset condition the other implies (`listQuery`).
 */
export interface FilterCondition extends SqlFragment {
  readonly bound?: { readonly field: KeyField; readonly side: 'lower' | 'upper'; readonly value: string; readonly strict: boolean };
}

/**
 * The filter as SQL conditions (all parameterised). A text filter is a range on its folded
 * key (see `prefixRange`), which an index seeks; no `LIKE`, so `%` and `_` are plain
 * characters. `style` names the dialect for the rare inexact range: SQLite counts a
 * string's length in code points, SQL Server in UTF-16 units.
 */
export function filterConditions(filter: OrderFilter, style: KeysetStyle): FilterCondition[] {
  const out: FilterCondition[] = [];
  for (const field of TEXT_FILTER_FIELDS) {
    const text = filter[field];
    if (text === undefined) continue;
    const key = FOLDED_KEYS[field];
    const column = KEY_COLUMNS[key];
    const p = paramPrefix(field);
    const whole = filter.wholeKeys?.[field];
    if (whole !== undefined) {
      out.push({ sql: `${column} = @${p}Whole`, params: { [`${p}Whole`]: whole } });
      continue;
    }
    const { lo, hi, exact } = prefixRange(text);
    out.push({ sql: `${column} >= @${p}Lo`, params: { [`${p}Lo`]: lo }, bound: { field: key, side: 'lower', value: lo, strict: false } });
    if (hi !== undefined) {
      out.push({ sql: `${column} < @${p}Hi`, params: { [`${p}Hi`]: hi }, bound: { field: key, side: 'upper', value: hi, strict: true } });
    }
    // The length is a number the app computed, not text from the request.
    const length = style === 'row-values' ? Array.from(lo).length : lo.length;
    if (!exact) out.push({ sql: `SUBSTRING(${column}, 1, ${length}) = @${p}Lo`, params: { [`${p}Lo`]: lo } });
  }
  const from = filter.orderDateFrom;
  const to = filter.orderDateTo;
  if (from !== undefined) {
    out.push({
      sql: `${SQL_COLUMNS.orderDate} >= @fFrom`,
      params: { fFrom: from },
      bound: { field: 'orderDate', side: 'lower', value: from, strict: false },
    });
  }
  if (to !== undefined) {
    out.push({
      sql: `${SQL_COLUMNS.orderDate} <= @fTo`,
      params: { fTo: to },
      bound: { field: 'orderDate', side: 'upper', value: to, strict: false },
    });
  }
  return out;
}

/** Compares two strings as SQLite's binary collation does: by code point (JavaScript's `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** The order field a filter parameter (`fStoreCodeLo`, `fFrom` ...) is compared with, for its SQL type. */
export function filterParamField(name: string): OrderField | undefined {
  if (name === 'fFrom' || name === 'fTo') return 'orderDate';
  return TEXT_FILTER_FIELDS.find((f) => ['Lo', 'Hi', 'Whole'].some((suffix) => name === `${paramPrefix(f)}${suffix}`));
}

/**
 * The indexes the list needs, one per sortable column but the Date UUID (the primary key),
 * each the whole sort key (see `SORT_KEYS`). The text columns' indexes lead with the folded
 * key, so they also serve the prefix filters: a seek to the range, in the column's order.
 */
export const INDEXES: readonly { readonly name: string; readonly columns: readonly KeyField[] }[] = [
  { name: 'ix_orders_order_date', columns: SORT_KEYS.orderDate },
  { name: 'ix_orders_shipping_date', columns: SORT_KEYS.shippingDate },
  { name: 'ix_orders_user_key', columns: SORT_KEYS.userId },
  { name: 'ix_orders_store_key', columns: SORT_KEYS.storeCode },
  { name: 'ix_orders_product_key', columns: SORT_KEYS.productCode },
  { name: 'ix_orders_product_quantity', columns: SORT_KEYS.productQuantity },
];

/**
 * Indexes of the raw text columns that the folded-key indexes replaced. SQLite's migration
 * drops them; SQL Server's leaves them to replicas of the release before, which name them in
 * index hints (docs/app.md says when to drop them).
 */
export const RETIRED_INDEXES: readonly string[] = ['ix_orders_user_id', 'ix_orders_store_code', 'ix_orders_product_code'];

/** An index's column list. */
export const indexColumns = (ix: (typeof INDEXES)[number]): string => ix.columns.map((c) => KEY_COLUMNS[c]).join(', ');

/** The index that holds a sort field's order: one of `INDEXES`, or `undefined` for the primary key (Date UUID). */
export function indexFor(field: SortField): string | undefined {
  return INDEXES.find((ix) => ix.columns === SORT_KEYS[field])?.name;
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

/**
 * How a dialect writes a comparison of a whole sort key: SQLite's row values, or SQL
 * Server's nested ORs. It also says how a prefix's length is counted (`filterConditions`).
 */
export type KeysetStyle = 'row-values' | 'expanded';

const ORDER_BY_DIRECTION: Readonly<Record<'asc' | 'desc', string>> = { asc: 'ASC', desc: 'DESC' };

/** `ORDER BY` for a sort, every key part in the sort's direction (no other direction makes valid SQL). */
export function orderByClause(keyFields: readonly KeyField[], direction: 'asc' | 'desc'): string {
  return keyFields.map((f) => `${KEY_COLUMNS[f]} ${ORDER_BY_DIRECTION[direction]}`).join(', ');
}

/**
 * The condition "row is at or after `key`" (or strictly after) in the sort's order, with
 * parameters `@k0..@kN`. SQLite compares row values; SQL Server has no row values, so the
 * comparison is expanded into nested ORs.
 */
export function keysetCondition(
  keyFields: readonly KeyField[],
  direction: 'asc' | 'desc',
  key: readonly (string | number)[],
  inclusive: boolean,
  style: KeysetStyle,
): SqlFragment {
  const op = direction === 'asc' ? '>' : '<';
  const params: Record<string, string | number> = {};
  key.forEach((v, i) => (params[`k${i}`] = v));
  const cols = keyFields.map((f) => KEY_COLUMNS[f]);
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

/**
 * The filter's conditions and the keyset condition, without a bound on the sort's first
 * column that another one implies. SQLite seeks on one lower and one upper bound of an
 * index's first column; given two on the same side (a prefix's `key >= lo` and the keyset's
 * row value), it picks by its statistics, and without them (a database never analysed)
 * it takes the filter's, then steps through the range up to the keyset's row: a deep page
 * would cost the whole range. Keeping only the tighter one leaves it one choice. (SQL Server
 * merges bounds on one column into one seek by itself.)
 */
function oneBoundPerSide(
  conditions: readonly FilterCondition[],
  keyset: SqlFragment,
  lead: KeyField,
  direction: 'asc' | 'desc',
  at: string | number,
): SqlFragment[] {
  const side = direction === 'asc' ? 'lower' : 'upper';
  const rivals = conditions.filter((c) => c.bound?.field === lead && c.bound.side === side);
  if (rivals.length === 0 || typeof at !== 'string') return [...conditions, keyset];
  // The keyset reaches past the filter's bound when its first value lies beyond it: then the bound implies the keyset.
  const beyond = rivals.some(({ bound: b }) => {
    const d = compareCodePoints(at, b!.value);
    return side === 'lower' ? d < 0 : b!.strict ? d >= 0 : d > 0;
  });
  return beyond ? [...conditions] : [...conditions.filter((c) => !rivals.includes(c)), keyset];
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
  let conditions: SqlFragment[] = filterConditions(filter, style);
  if (from) {
    const keyset = keysetCondition(keyFields, sort.direction, from.key, from.inclusive, style);
    conditions = style === 'row-values' ? oneBoundPerSide(conditions, keyset, keyFields[0]!, sort.direction, from.key[0]!) : [...conditions, keyset];
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.map((c) => c.sql).join(' AND ')}` : '';
  return {
    sql: `SELECT ${columns} FROM ${table} ${where} ORDER BY ${orderByClause(keyFields, sort.direction)}`,
    params: Object.assign({}, ...conditions.map((c) => c.params)) as Record<string, string | number>,
  };
}
