import type { Order, OrderField } from './order';

/** Columns the list can be sorted by. Card numbers are deliberately not sortable. */
export type SortField = Exclude<OrderField, 'cardNumber'>;
export type SortDirection = 'asc' | 'desc';

/** The text fields the list filters by a case-insensitive prefix. */
export const TEXT_FILTER_FIELDS = ['userId', 'storeCode', 'productCode'] as const;
export type TextFilterField = (typeof TEXT_FILTER_FIELDS)[number];

/**
 * A text field's case-folded key (`storeCodeKey` is `foldKey(storeCode)`), kept by the
 * database as a computed column: the text fields sort and filter by it.
 */
export type FoldedKeyField = `${TextFilterField}Key`;

/** A part of a sort key: an order field, or the folded key of a text field. */
export type KeyField = OrderField | FoldedKeyField;

/** The folded key of each text field. */
export const FOLDED_KEYS: Readonly<Record<TextFilterField, FoldedKeyField>> = {
  userId: 'userIdKey',
  storeCode: 'storeCodeKey',
  productCode: 'productCodeKey',
};

/**
 * Text as the list compares it: ASCII letters in lower case, every other character as it
 * is (`GB-8847179F` -> `gb-8847179f`, `É` stays `É`). SQLite's built-in `lower()` and the
 * SQL Server column's `TRANSLATE` fold exactly these 26 letters, so both stores and this
 * function agree character for character.
 */
export function foldKey(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/**
 * For each sort field, the full key the list is ordered by. Each key ends in the primary
 * key, so the order is total and keyset pagination is exact; after the sorted column, ties
 * are broken by order date, so one index per column serves both "sort by X" and "filter on
 * X, newest first". Text columns sort by their folded key (case-insensitively); the raw
 * User ID at the end keeps `Bob` and `bob` apart. Every part of a key runs in the same
 * direction.
 */
export const SORT_KEYS: Readonly<Record<SortField, readonly KeyField[]>> = {
  orderDate: ['orderDate', 'dateUuid', 'userId'],
  shippingDate: ['shippingDate', 'orderDate', 'dateUuid', 'userId'],
  dateUuid: ['dateUuid', 'userId'],
  userId: ['userIdKey', 'orderDate', 'dateUuid', 'userId'],
  storeCode: ['storeCodeKey', 'orderDate', 'dateUuid', 'userId'],
  productCode: ['productCodeKey', 'orderDate', 'dateUuid', 'userId'],
  productQuantity: ['productQuantity', 'orderDate', 'dateUuid', 'userId'],
};

/** The order field a key part is computed from (a folded key's text field, else itself). */
export function baseField(field: KeyField): OrderField {
  return field.endsWith('Key') ? (field.slice(0, -3) as TextFilterField) : (field as OrderField);
}

/** A key part's value for an order. */
export function keyValue(order: Order, field: KeyField): string | number {
  return field === baseField(field) ? order[field as OrderField] : foldKey(order[baseField(field)] as string);
}

export const SORT_FIELDS = Object.keys(SORT_KEYS) as SortField[];

/**
 * Filters; every one optional. A text filter keeps the orders whose field starts with the
 * given text, ASCII letters in either case (`gb-88` finds `GB-8847179F`); every character
 * is literal (`%` and `_` are no wildcards).
 */
export interface OrderFilter {
  readonly userId?: string;
  readonly storeCode?: string;
  readonly productCode?: string;
  /** Inclusive lower bound on the order date. */
  readonly orderDateFrom?: string;
  /** Inclusive upper bound on the order date. */
  readonly orderDateTo?: string;
  /**
   * Set by the service, never from a request: text filters every match of which has this
   * one folded key (the first and last match agree). The store compares the key with `=`,
   * not as a prefix range, so the matches lie in date order in the field's index. The same
   * rows, read by a cheaper plan.
   */
  readonly wholeKeys?: Readonly<Partial<Record<TextFilterField, string>>>;
}

export interface OrderSort {
  readonly field: SortField;
  readonly direction: SortDirection;
}

export const DEFAULT_SORT: OrderSort = { field: 'orderDate', direction: 'desc' };

/** Values of a row's sort key, in `SORT_KEYS[field]` order. */
export type SortKey = readonly (string | number)[];

/** A row's key in `field`'s index; the same whichever direction the index is read in. */
export function sortKeyOf(order: Order, field: SortField): SortKey {
  return SORT_KEYS[field].map((f) => keyValue(order, f));
}

/** A position in the ordered list: rows at or after `key` (or strictly after it). */
export interface Cursor {
  readonly key: SortKey;
  readonly inclusive: boolean;
}

export interface PageRequest {
  readonly filter: OrderFilter;
  readonly sort: OrderSort;
  /** Start from this row instead of the top of the list. */
  readonly from?: Cursor;
  /** Rows to skip after the start (kept small by the page index). */
  readonly skip: number;
  readonly limit: number;
  /** Read through this sort field's index (the service knows which range is smallest). */
  readonly via?: SortField;
}
