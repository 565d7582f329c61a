import type { Order } from '../domain/order';
import type { ListParams } from '../domain/list-params';
import { sortKeyOf, type OrderFilter, type OrderSort } from '../domain/order-query';
import type { Anchors, OrderStore } from '../store/order-store';

/** A new order has the same Date UUID and User ID as a stored one. Nothing was written. */
export class DuplicateOrderError extends Error {
  constructor(public readonly dateUuid: string, public readonly userId: string) {
    super(`An order with Date UUID ${dateUuid} and this User ID already exists.`);
    this.name = 'DuplicateOrderError';
  }
}

export interface OrderPage {
  readonly items: readonly Order[];
  /** The page shown: the requested one, or the last one if the request was past the end. */
  readonly page: number;
  readonly size: number;
  readonly totalItems: number;
  readonly totalPages: number;
}

export interface OrderServiceProps {
  /**
   * Distance between anchors of the page index, in rows: the longest scan any page needs.
   * @default 500
   */
  readonly anchorEvery?: number;
  /** How many (filter, sort) combinations keep a page index. @default 64 */
  readonly indexCacheSize?: number;
  /** Called when an order was created. */
  readonly onCreated?: (order: Order) => void;
}

interface IndexEntry {
  readonly token: string;
  readonly anchors: Promise<Anchors>;
}

/**
 * The order rules and the list's paging. Paging never scans or counts the whole table per
 * request: for each (filter, sort) in use it keeps the sort key of every `anchorEvery`-th
 * row and the row count, rebuilt (once, shared by concurrent requests) when the store's
 * change token moves. Any page is then a keyset seek to the nearest anchor plus a scan of
 * fewer than `anchorEvery` index entries.
 */
export class OrderService {
  private readonly every: number;
  private readonly cacheSize: number;
  private readonly index = new Map<string, IndexEntry>();

  constructor(private readonly store: OrderStore, private readonly props: OrderServiceProps = {}) {
    this.every = props.anchorEvery ?? 500;
    this.cacheSize = props.indexCacheSize ?? 64;
    if (!Number.isInteger(this.every) || this.every < 1) throw new Error(`anchorEvery must be a positive integer; got ${this.every}`);
  }

  /**
   * Stores a valid order, recording who created it when someone is signed in. Throws
   * `DuplicateOrderError` if its key is taken; nothing is overwritten.
   */
  async create(order: Order, createdBy?: string): Promise<Order> {
    const result = await this.store.insert(order, createdBy);
    if (result === 'duplicate') throw new DuplicateOrderError(order.dateUuid, order.userId);
    this.props.onCreated?.(order);
    return order;
  }

  async get(dateUuid: string, userId: string): Promise<Order | undefined> {
    return this.store.get(dateUuid.toLowerCase(), userId);
  }

  /** Who created an order (see `OrderStore.creatorOf`). */
  async creatorOf(dateUuid: string, userId: string): Promise<string | null | undefined> {
    return this.store.creatorOf(dateUuid.toLowerCase(), userId);
  }

  async list(params: ListParams): Promise<OrderPage> {
    const { filter, sort, size } = params;
    const anchors = await this.anchorsFor(filter, sort);
    const totalPages = Math.max(1, Math.ceil(anchors.total / size));
    const page = Math.min(params.page, totalPages);
    const offset = (page - 1) * size;
    const slot = Math.floor(offset / this.every);
    const items =
      slot === 0 || anchors.keys[slot] === undefined
        ? await this.store.page({ filter, sort, skip: offset, limit: size })
        : await this.store.page({ filter, sort, from: { key: anchors.keys[slot], inclusive: true }, skip: offset - slot * this.every, limit: size });
    return { items, page, size, totalItems: anchors.total, totalPages };
  }

  /** Every order of the filtered, sorted list, read in batches by keyset (for CSV export). */
  async *stream(filter: OrderFilter, sort: OrderSort, batchSize = 1000): AsyncGenerator<Order> {
    let from: { key: ReturnType<typeof sortKeyOf>; inclusive: boolean } | undefined;
    for (;;) {
      const batch = await this.store.page({ filter, sort, from, skip: 0, limit: batchSize });
      yield* batch;
      if (batch.length < batchSize) return;
      from = { key: sortKeyOf(batch[batch.length - 1]!, sort), inclusive: false };
    }
  }

  private async anchorsFor(filter: OrderFilter, sort: OrderSort): Promise<Anchors> {
    const token = await this.store.changeToken();
    const cacheKey = JSON.stringify([sort.field, sort.direction, filter.userId, filter.storeCode, filter.productCode, filter.orderDateFrom, filter.orderDateTo]);
    const cached = this.index.get(cacheKey);
    if (cached && cached.token === token) {
      // Refresh LRU position.
      this.index.delete(cacheKey);
      this.index.set(cacheKey, cached);
      return cached.anchors;
    }
    const anchors = this.store.anchors(filter, sort, this.every);
    const entry: IndexEntry = { token, anchors };
    this.index.delete(cacheKey);
    this.index.set(cacheKey, entry);
    // A failed build must not be cached.
    anchors.catch(() => {
      if (this.index.get(cacheKey) === entry) this.index.delete(cacheKey);
    });
    while (this.index.size > this.cacheSize) this.index.delete(this.index.keys().next().value!);
    return anchors;
  }
}
