import { SORT_FIELDS, SORT_KEYS, type KeyField, type SortField, type SortKey } from '../domain/order-query';
import { KEY_COLUMNS } from './sql-columns';

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

/**
 * Snake-case names for table and trigger names. The text sorts' tables are named after
 * their folded keys: their keys changed, and new names let a replica of the release
 * before, still running during a rollout, read its own tables (see `RETIRED_BUCKET_TABLES`).
 */
const SNAKE: Readonly<Record<SortField, string>> = {
  orderDate: 'order_date',
  shippingDate: 'shipping_date',
  dateUuid: 'date_uuid',
  userId: 'user_key',
  storeCode: 'store_key',
  productCode: 'product_key',
  productQuantity: 'product_quantity',
};

/** The bucket table of a sort field. */
export const bucketTable = (field: SortField): string => `order_positions_${SNAKE[field]}`;

/**
 * Bucket tables of the text sorts from before they sorted by folded keys (keyed by the raw
 * text). No trigger keeps them any more; SQLite drops them when it migrates, SQL Server
 * leaves them to replicas of the release before until they are gone (docs/app.md says when
 * to drop them).
 */
export const RETIRED_BUCKET_TABLES: readonly string[] = ['order_positions_user_id', 'order_positions_store_code', 'order_positions_product_code'];

/** Single-row table whose `version` moves with every change to any bucket. */
export const POSITIONS_META = 'order_positions_meta';

/** The key columns of a sort field, in key order (the same names as in `orders`). */
export const keyColumns = (field: SortField): readonly string[] => SORT_KEYS[field].map((f) => KEY_COLUMNS[f]);

/** A key below every real one: an empty string for text, a very low number for the quantity. */
export function sentinelKey(field: SortField): SortKey {
  return SORT_KEYS[field].map((f: KeyField) => (f === 'productQuantity' ? -2147483648 : ''));
}

/** The sort fields, each of which has a bucket table. */
export const BUCKET_FIELDS: readonly SortField[] = SORT_FIELDS;
