import type { Order, OrderField } from './order';

/** Columns the list can be sorted by. Card numbers are deliberately not sortable. */
export type SortField = Exclude<OrderField, 'cardNumber'>;
export type SortDirection = 'asc' | 'desc';

/**
 * For each sort field, the full key the list is ordered by. Each key ends in the primary
 * key, so the order is total and keyset pagination is exact; after the sorted column, ties
 * are broken by order date, so one index per column serves both "sort by X" and "filter on
 * X, newest first". Every part of a key runs in the same direction.
 */
export const SORT_KEYS: Readonly<Record<SortField, readonly OrderField[]>> = {
  orderDate: ['orderDate', 'dateUuid', 'userId'],
  shippingDate: ['shippingDate', 'orderDate', 'dateUuid', 'userId'],
  dateUuid: ['dateUuid', 'userId'],
  userId: ['userId', 'orderDate', 'dateUuid'],
  storeCode: ['storeCode', 'orderDate', 'dateUuid', 'userId'],
  productCode: ['productCode', 'orderDate', 'dateUuid', 'userId'],
  productQuantity: ['productQuantity', 'orderDate', 'dateUuid', 'userId'],
};

export const SORT_FIELDS = Object.keys(SORT_KEYS) as SortField[];

/** Exact-match and date-range filters; every one optional. */
export interface OrderFilter {
  readonly userId?: string;
  readonly storeCode?: string;
  readonly productCode?: string;
  /** Inclusive lower bound on the order date. */
  readonly orderDateFrom?: string;
  /** Inclusive upper bound on the order date. */
  readonly orderDateTo?: string;
}

export interface OrderSort {
  readonly field: SortField;
  readonly direction: SortDirection;
}

export const DEFAULT_SORT: OrderSort = { field: 'orderDate', direction: 'desc' };

/** Values of a row's sort key, in `SORT_KEYS[field]` order. */
export type SortKey = readonly (string | number)[];

export function sortKeyOf(order: Order, sort: OrderSort): SortKey {
  return SORT_KEYS[sort.field].map((f) => order[f]);
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
