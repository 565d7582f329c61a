import type { Order } from '../domain/order';
import { normalizeText } from '../domain/order-validation';
import { PAGING, type ListParams } from '../domain/list-params';
import { FIELD_LABELS } from '../domain/order';
import {
  FOLDED_KEYS,
  foldKey,
  SORT_KEYS,
  sortKeyOf,
  TEXT_FILTER_FIELDS,
  type OrderFilter,
  type OrderSort,
  type SortField,
  type TextFilterField,
} from '../domain/order-query';
import type { OrderStore } from '../store/order-store';

/** A new order has the same Date UUID and User ID as a stored one. Nothing was written. */
export class DuplicateOrderError extends Error {
  constructor(
    public readonly dateUuid: string,
    public readonly userId: string,
  ) {
    super(`An order with Date UUID ${dateUuid} and this User ID already exists.`);
    this.name = 'DuplicateOrderError';
  }
}

export interface OrderPage {
  readonly items: readonly Order[];
  /** The page shown: the requested one, or the last one if the request was past the end. */
  readonly page: number;
  readonly size: number;
  /** 0-based position of the first item in the filtered, sorted list. */
  readonly offset: number;
  readonly totalItems: number;
  /** False when `totalItems` is an upper bound (two or more text filters over many orders). */
  readonly totalExact: boolean;
  readonly totalPages: number;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
}

/**
 * A page number whose rows could only be found by walking more of the table than a request
 * may (a deep page under a sort whose index does not hold the filter's rows together).
 * The message names the parameter and what to do instead.
 */
export class PageTooDeepError extends Error {
  /** `sortInstead`: a column under whose sort every page of this filter can be reached, if there is one. */
  constructor(
    public readonly page: number,
    sortInstead?: string,
  ) {
    super(
      `Query parameter "page": page ${page} of this filter under this sort cannot be reached directly without scanning most of the orders. ` +
        `Use the Next and Previous links, ${sortInstead ? `sort by ${sortInstead}, ` : ''}or narrow the filter.`,
    );
    this.name = 'PageTooDeepError';
  }
}

export interface OrderServiceProps {
  /** Called when an order was created. */
  readonly onCreated?: (order: Order) => void;
  /**
   * Most index entries a list request may read to find a page of a filter whose rows the
   * sort's index does not hold together. @default 50000
   */
  readonly maxWalk?: number;
}

/**
 * How a (filter, sort) is read; see `OrderService.list`. `filter` is the request's, with
 * `wholeKeys` set for text filters whose matches all have one folded key.
 */
type Plan =
  | { readonly kind: 'range'; readonly filter: OrderFilter; readonly via: SortField; readonly firstRank: number; readonly lastRank: number }
  | { readonly kind: 'small'; readonly filter: OrderFilter; readonly via: SortField; readonly total: number }
  | { readonly kind: 'walk'; readonly filter: OrderFilter; readonly total: number; readonly exact: boolean; readonly stepCost: number };

/** The same sort read the other way. */
const reversed = (sort: OrderSort): OrderSort => ({ field: sort.field, direction: sort.direction === 'asc' ? 'desc' : 'asc' });

/**
 * A sort under which every page of `filter` is a 'range' plan (see `OrderService.plan`):
 * Order Date for dates alone; a text filter's own column when it is the only text filter
 * and either alone or whole. Undefined when there is none.
 */
function sortReachingEveryPage(filter: OrderFilter): string | undefined {
  const texts = TEXT_FILTER_FIELDS.filter((f) => filter[f] !== undefined);
  if (texts.length === 0) return FIELD_LABELS.orderDate;
  const hasDates = filter.orderDateFrom !== undefined || filter.orderDateTo !== undefined;
  const [only] = texts;
  // Stryker disable next-line OptionalChaining: a walked plan's filter always carries wholeKeys (see OrderService.plan)
  return texts.length === 1 && (!hasDates || filter.wholeKeys?.[only!] !== undefined) ? FIELD_LABELS[only!] : undefined;
}

/**
 * The order rules and the list's paging. Paging never counts or scans the whole table: the
 * database keeps exact counts per run of about 500 rows of every sort field's index
 * (`position-buckets.ts`), so the row at any position of a range of an index is found by
 * summing counts in memory and a seek. Every filter and sort is read through the index
 * range that holds its rows most tightly:
 * - **range**: the filter's rows lie together in the sort's own order (no filter; dates
 *   under the date sort; one text filter alone under its own column, whose folded key
 *   leads that index, so a prefix is one run of it; one text filter whose matches all
 *   have one folded key, with or without dates, under the date sort or its own column):
 *   exact counts and any page in a seek and fewer than 1,000 index steps;
 * - **small**: otherwise, when some index range holding every match has at most
 *   √(page size × orders × step cost) rows (5,000 for a million orders, 15,800 where the
 *   sort's index lacks a filtered column and each walked entry costs a table lookup): that
 *   range is read and sorted;
 * - **walk**: otherwise the sort's index is walked and filtered; its matches are at least
 *   that dense, so a page near either end costs at most about as much. A deep page that
 *   would cost more than `maxWalk` index steps is refused with `PageTooDeepError`.
 */
export class OrderService {
  private readonly maxWalk: number;

  constructor(
    private readonly store: OrderStore,
    private readonly props: OrderServiceProps = {},
  ) {
    this.maxWalk = props.maxWalk ?? 50_000;
  }

  /**
   * Stores a valid order, recording who created it when someone is signed in. Throws
   * `DuplicateOrderError` if its key is taken; nothing is overwritten.
   */
  async create(given: Order, createdBy?: string): Promise<Order> {
    // Validation normalises already; callers that build orders themselves get NFC too, so both stores hold one form.
    const order: Order = {
      ...given,
      userId: normalizeText(given.userId),
      storeCode: normalizeText(given.storeCode),
      productCode: normalizeText(given.productCode),
    };
    const result = await this.store.insert(order, createdBy);
    if (result === 'duplicate') throw new DuplicateOrderError(order.dateUuid, order.userId);
    this.props.onCreated?.(order);
    return order;
  }

  async get(dateUuid: string, userId: string): Promise<Order | undefined> {
    return this.store.get(dateUuid.toLowerCase(), normalizeText(userId));
  }

  /** Who created an order (see `OrderStore.creatorOf`). */
  async creatorOf(dateUuid: string, userId: string): Promise<string | null | undefined> {
    return this.store.creatorOf(dateUuid.toLowerCase(), normalizeText(userId));
  }

  /** Moves with every insert, delete or key change of an order (see `OrderStore.changeToken`). */
  changeToken(): Promise<string> {
    return this.store.changeToken();
  }

  async list(params: ListParams): Promise<OrderPage> {
    const { sort, size } = params;
    const plan = await this.plan(params.filter, sort);
    const { filter } = plan;
    if (params.cursor) return this.fromCursor(params, plan);
    const total = plan.kind === 'range' ? plan.lastRank - plan.firstRank + 1 : plan.total;
    const totalPages = Math.max(1, Math.ceil(total / size));
    const page = Math.min(params.page, totalPages);
    const offset = (page - 1) * size;
    let items: Order[];
    // No filter matches: `page` and `offset` are 1 and 0.
    if (offset === 0) {
      items = await this.store.page({ filter, sort, skip: 0, limit: size, via: plan.kind === 'walk' ? sort.field : plan.via });
    } else if (plan.kind === 'range') {
      const rank = sort.direction === 'asc' ? plan.firstRank + offset : plan.lastRank - offset;
      const row = await this.store.rowAtRank(plan.via, rank);
      items = row
        ? await this.store.page({ filter, sort, from: { key: sortKeyOf(row, sort.field), inclusive: true }, skip: 0, limit: size, via: plan.via })
        : [];
    } else if (plan.kind === 'small') {
      items = await this.store.page({ filter, sort, skip: offset, limit: size, via: plan.via });
    } else {
      items = await this.walk(params, plan, offset);
    }
    return this.result(params, plan, items, offset, page);
  }

  /**
   * Every order of the filtered, sorted list, read in batches by keyset (for CSV export),
   * through the index its plan reads (a walked filter: the sort's), so no batch sorts more
   * than a small range.
   */
  async *stream(given: OrderFilter, sort: OrderSort, batchSize = 1000): AsyncGenerator<Order> {
    const plan = await this.plan(given, sort);
    const via = plan.kind === 'walk' ? sort.field : plan.via;
    let from: { key: ReturnType<typeof sortKeyOf>; inclusive: boolean } | undefined;
    for (;;) {
      const batch = await this.store.page({ filter: plan.filter, sort, from, skip: 0, limit: batchSize, via });
      yield* batch;
      if (batch.length < batchSize) return;
      from = { key: sortKeyOf(batch[batch.length - 1]!, sort.field), inclusive: false };
    }
  }

  /** Rows just after (or just before) a cursor: a seek, whatever happened to the rows around it. */
  private async fromCursor(params: ListParams, plan: Plan): Promise<OrderPage> {
    const { sort, size } = params;
    const { filter } = plan;
    const cursor = params.cursor!;
    const via = plan.kind === 'walk' ? sort.field : plan.via;
    const after = cursor.direction === 'after';
    const readSort = after ? sort : reversed(sort);
    // One row more than a page says whether there is more beyond it.
    const rows = await this.store.page({ filter, sort: readSort, from: { key: cursor.key, inclusive: false }, skip: 0, limit: size + 1, via });
    const more = rows.length > size;
    const items = after ? rows.slice(0, size) : rows.slice(0, size).reverse();
    let offset: number;
    if (plan.kind === 'range' && items.length > 0) {
      const rank = await this.store.rank(plan.via, sortKeyOf(items[0]!, plan.via));
      offset = sort.direction === 'asc' ? rank - plan.firstRank : plan.lastRank - rank;
    } else {
      // Positions of other plans would cost a count: the page number the link carried is shown.
      offset = !after && !more ? 0 : (params.page - 1) * size;
    }
    const page = Math.floor(offset / size) + 1;
    return { ...this.result(params, plan, items, offset, page), hasPrevious: after ? true : more, hasNext: after ? more : true };
  }

  private result(params: ListParams, plan: Plan, items: Order[], offset: number, page: number): OrderPage {
    const { size } = params;
    const total = plan.kind === 'range' ? plan.lastRank - plan.firstRank + 1 : plan.total;
    const known = Math.max(total, offset + items.length);
    return {
      items,
      page,
      size,
      offset,
      totalItems: known,
      totalExact: plan.kind !== 'walk' || plan.exact,
      totalPages: Math.max(1, Math.ceil(known / size)),
      hasPrevious: offset > 0,
      hasNext: offset + items.length < known,
    };
  }

  /** A page of a 'walk' plan: from the front or, when nearer, from the back; refused when both are too far. */
  private async walk(params: ListParams, plan: Extract<Plan, { kind: 'walk' }>, offset: number): Promise<Order[]> {
    const { sort, size } = params;
    const { filter } = plan;
    const all = await this.store.total();
    // A walked range holds more than 1,000 rows (see `plan`), so `plan.total` is never 0.
    const stepsPerMatch = (all / plan.total) * plan.stepCost;
    if ((offset + size) * stepsPerMatch <= this.maxWalk) return this.store.page({ filter, sort, skip: offset, limit: size, via: sort.field });
    const fromEnd = plan.total - offset - size;
    if (plan.exact && (plan.total - offset) * stepsPerMatch <= this.maxWalk) {
      const rows = await this.store.page({
        filter,
        sort: reversed(sort),
        skip: Math.max(0, fromEnd),
        limit: size + Math.min(0, fromEnd),
        via: sort.field,
      });
      return rows.reverse();
    }
    throw new PageTooDeepError(params.page, sortReachingEveryPage(filter));
  }

  /** Chooses how to read a (filter, sort); see the class comment. Bounded: a few seeks and bucket counts. */
  private async plan(given: OrderFilter, sort: OrderSort): Promise<Plan> {
    const texts = TEXT_FILTER_FIELDS.filter((f) => given[f] !== undefined);
    const dates: OrderFilter = { orderDateFrom: given.orderDateFrom, orderDateTo: given.orderDateTo };
    const hasDates = given.orderDateFrom !== undefined || given.orderDateTo !== undefined;
    // The filter's rows lie together in the sort's order.
    if (texts.length === 0 && (sort.field === 'orderDate' || !hasDates)) return this.range(given, sort.field);
    if (texts.length === 1 && sort.field === texts[0] && !hasDates) return this.range(given, sort.field);
    const wholeKeys = await this.wholeKeys(given, texts);
    const filter: OrderFilter = { ...given, wholeKeys };
    const isWhole = (f: TextFilterField): boolean => wholeKeys[f] !== undefined;
    if (texts.length === 1 && isWhole(texts[0]!) && (sort.field === 'orderDate' || sort.field === texts[0])) return this.range(filter, texts[0]!);
    // Otherwise the tightest range that holds them all. A text filter's range is exactly its
    // matches when it is the only filter, or the only text filter and whole.
    const ranges = [
      { range: await this.range(dates, 'orderDate'), exact: texts.length === 0 },
      ...(await Promise.all(
        texts.map(async (f) => ({
          range: await this.range({ ...dates, [f]: given[f], ...(isWhole(f) ? { wholeKeys: { [f]: wholeKeys[f] } } : {}) }, f),
          exact: texts.length === 1 && (!hasDates || isWhole(f)),
        })),
      )),
    ];
    // Stryker disable next-line EqualityOperator: on a tie either range is as tight
    const tightest = ranges.reduce((a, b) => (b.range.lastRank - b.range.firstRank < a.range.lastRank - a.range.firstRank ? b : a));
    const size = tightest.range.lastRank - tightest.range.firstRank + 1;
    const all = await this.store.total();
    // Sorting the range costs a step per row; walking the sort's index costs a step per
    // entry, and about ten when the index lacks a filtered column (a table lookup each).
    // Without dates the sort's index never holds every filtered column (one text filter under its own sort is a range).
    // Stryker disable next-line ArrayDeclaration: equivalent, see above
    const filtered = [...texts.map((f) => FOLDED_KEYS[f]), ...(hasDates ? (['orderDate'] as const) : [])];
    const stepCost = filtered.every((f) => SORT_KEYS[sort.field].includes(f)) ? 1 : 10;
    if (size <= Math.max(1000, Math.sqrt(PAGING.defaultSize * all * stepCost)))
      return { kind: 'small', filter, via: tightest.range.via, total: await this.store.count(filter, tightest.range.via) };
    return { kind: 'walk', filter, total: size, exact: tightest.exact, stepCost };
  }

  /**
   * The text filters whose matches all have one folded key: the first and last match in
   * the field's own order (two seeks each) have the same one. Compared whole (`=`), their
   * matches lie in date order in the field's index. An order written between these seeks
   * and the page's read, whose key differs but starts with the filter, shows from the next
   * request on.
   */
  private async wholeKeys(filter: OrderFilter, texts: readonly TextFilterField[]): Promise<Partial<Record<TextFilterField, string>>> {
    const found = await Promise.all(
      texts.map(async (f) => {
        const only: OrderFilter = { [f]: filter[f] };
        const [first] = await this.store.page({ filter: only, sort: { field: f, direction: 'asc' }, skip: 0, limit: 1, via: f });
        if (!first) return undefined;
        const [last] = await this.store.page({ filter: only, sort: { field: f, direction: 'desc' }, skip: 0, limit: 1, via: f });
        const key = foldKey(first[f]);
        return last && foldKey(last[f]) === key ? ([f, key] as const) : undefined;
      }),
    );
    return Object.fromEntries(found.filter((e) => e !== undefined));
  }

  /** Ranks of the first and last orders of `filter` in `via`'s order, where they lie together. */
  private async range(filter: OrderFilter, via: SortField): Promise<Extract<Plan, { kind: 'range' }>> {
    const noFilter = Object.values(filter).every((v) => v === undefined);
    if (noFilter) return { kind: 'range', filter, via, firstRank: 0, lastRank: (await this.store.total()) - 1 };
    const [first] = await this.store.page({ filter, sort: { field: via, direction: 'asc' }, skip: 0, limit: 1, via });
    if (!first) return { kind: 'range', filter, via, firstRank: 0, lastRank: -1 };
    const [last] = await this.store.page({ filter, sort: { field: via, direction: 'desc' }, skip: 0, limit: 1, via });
    const [firstRank, lastRank] = await Promise.all([this.store.rank(via, sortKeyOf(first, via)), this.store.rank(via, sortKeyOf(last!, via))]);
    return { kind: 'range', filter, via, firstRank, lastRank };
  }
}
