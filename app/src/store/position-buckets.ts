import type { OrderField } from '../domain/order';
import { SORT_FIELDS, SORT_KEYS, type SortField, type SortKey } from '../domain/order-query';
import { SQL_COLUMNS } from './sql-columns';

/**
 * The list's position index, kept by the database itself. For every sort field there is a
 * table of *buckets*: each row holds the start of a run of the sorted orders (a sort key,
 * in ascending order) and how many orders the run holds, up to the next bucket's start.
 * Triggers on `orders` add or remove one from the bucket a row falls into, so counts are
 * exact after every write, from any process or replica, without rescanning anything. A
 * bucket that grows past twice the target size is split by the writer (a bounded seek);
 * the first bucket starts at a sentinel below every real key, so every row has a bucket.
 *
 * With the counts, the service finds the row at any position by summing bucket counts (in
 * memory) and skipping fewer than `2 x BUCKET_ROWS` index entries inside one bucket.
 */

/** Target rows per bucket; a bucket is split when it holds more than twice this. */
export const BUCKET_ROWS = 500;

/** Snake-case names for table and trigger names. */
const SNAKE: Readonly<Record<SortField, string>> = {
  orderDate: 'order_date',
  shippingDate: 'shipping_date',
  dateUuid: 'date_uuid',
  userId: 'user_id',
  storeCode: 'store_code',
  productCode: 'product_code',
  productQuantity: 'product_quantity',
};

/** The bucket table of a sort field. */
export const bucketTable = (field: SortField): string => `order_positions_${SNAKE[field]}`;

/** Single-row table whose `version` moves with every change to any bucket. */
export const POSITIONS_META = 'order_positions_meta';

/** The key columns of a sort field, in key order (the same names as in `orders`). */
export const keyColumns = (field: SortField): readonly string[] => SORT_KEYS[field].map((f) => SQL_COLUMNS[f]);

/** A key below every real one: an empty string for text, a very low number for the quantity. */
export function sentinelKey(field: SortField): SortKey {
  return SORT_KEYS[field].map((f: OrderField) => (f === 'productQuantity' ? -2147483648 : ''));
}

/** The sort fields, each of which has a bucket table. */
export const BUCKET_FIELDS: readonly SortField[] = SORT_FIELDS;
