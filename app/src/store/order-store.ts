import type { Order } from '../domain/order';
import type { OrderFilter, OrderSort, PageRequest, SortKey } from '../domain/order-query';

/** Result of inserting an order. A duplicate (same Date UUID and User ID) changes nothing. */
export type InsertResult = 'inserted' | 'duplicate';

/** Every `every`-th row's sort key of a filtered, sorted list, and how many rows it has. */
export interface Anchors {
  /** `keys[i]` is the sort key of the row at position `i * every` (0-based). */
  readonly keys: readonly SortKey[];
  readonly total: number;
}

/**
 * Where orders live. Two implementations (SQLite, SQL Server) pass one contract suite
 * (`app/test/order-store.contract.ts`). Implementations only run parameterised SQL and
 * return plain objects; the rules live in the service.
 */
export interface OrderStore {
  /** Short name for logs and metrics: `sqlite` or `mssql`. */
  readonly kind: string;
  /** Creates the table and indexes when missing. Safe to run on every start. */
  migrate(): Promise<void>;
  /** Stores an order; `createdBy` (the signed-in user, when sign-in is on) goes to the `created_by` column. */
  insert(order: Order, createdBy?: string): Promise<InsertResult>;
  /** Who created an order: a user, `null` when nobody was signed in, `undefined` when there is no such order. */
  creatorOf(dateUuid: string, userId: string): Promise<string | null | undefined>;
  get(dateUuid: string, userId: string): Promise<Order | undefined>;
  /** One page of the filtered, sorted list. */
  page(request: PageRequest): Promise<Order[]>;
  /** Builds the sparse position index used to jump to any page without long scans. */
  anchors(filter: OrderFilter, sort: OrderSort, every: number): Promise<Anchors>;
  /**
   * A value that changes whenever the data may have changed (so cached counts and anchors
   * are rebuilt). Cheap: called on every list request.
   */
  changeToken(): Promise<string>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
