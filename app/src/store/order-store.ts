import type { Order } from '../domain/order';
import type { OrderFilter, PageRequest, SortField, SortKey } from '../domain/order-query';
import type { SessionRevocations } from './session-revocations';

/** Result of inserting an order. A duplicate (same Date UUID and User ID) changes nothing. */
export type InsertResult = 'inserted' | 'duplicate';

/**
 * Where orders live. Two implementations (SQLite, SQL Server) pass one contract suite
 * (`app/test/order-store.contract.ts`). Implementations only run parameterised SQL and
 * return plain objects; the rules live in the service.
 */
export interface OrderStore {
  /** Short name for logs and metrics: `sqlite` or `mssql`. */
  readonly kind: string;
  /** Signed-out sessions, in the same database (created by `migrate()`). */
  readonly sessionRevocations: SessionRevocations;
  /** Creates the table and indexes when missing. Safe to run on every start. */
  migrate(): Promise<void>;
  /** Stores an order; `createdBy` (the signed-in user, when sign-in is on) goes to the `created_by` column. */
  insert(order: Order, createdBy?: string): Promise<InsertResult>;
  /** Who created an order: a user, `null` when nobody was signed in, `undefined` when there is no such order. */
  creatorOf(dateUuid: string, userId: string): Promise<string | null | undefined>;
  get(dateUuid: string, userId: string): Promise<Order | undefined>;
  /** One page of the filtered, sorted list (read through the index of `request.via` when given). */
  page(request: PageRequest): Promise<Order[]>;
  /** How many orders match the filter, read through the index of `via`. Costs one step per row of that index's range. */
  count(filter: OrderFilter, via: SortField): Promise<number>;
  /** How many orders there are. */
  total(): Promise<number>;
  /**
   * How many orders come before `key` in a sort field's ascending order. Both stores answer
   * positions from their position index (`position-buckets.ts`): a seek and at most a
   * bucket of index steps.
   */
  rank(field: SortField, key: SortKey): Promise<number>;
  /** The order at 0-based position `rank` of a sort field's ascending order, or undefined past the end. */
  rowAtRank(field: SortField, rank: number): Promise<Order | undefined>;
  /**
   * A value that changes whenever an order is inserted or deleted or a sort key of one
   * changes, by any process (the position index's version, `position-buckets.ts`). Read at
   * most once per turn of the event loop, and again at once after this process wrote. A
   * change to an order's other columns made outside the app does not move it.
   */
  changeToken(): Promise<string>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
