// How the service reads each list request: which index range, whether it counts, seeks or
// walks, and where it refuses a page. `order-service.test.ts` checks that every page is
// right whichever way it is read; this file pins the way, which is the service's promise of a
// bounded cost per request (see the class comment of `OrderService`), on a table large
// enough to cross its limits: 5,000 orders, so that a range may be sorted when it holds at
// most max(1,000, √(25 × 5,000 × step cost)) rows: 1,000 when the sort's index holds every
// filtered column (step cost 1), 1,118 when it does not (step cost 10).
import type { Order } from '../src/domain/order';
import { sortKeyOf, type OrderFilter, type OrderSort, type PageRequest, type SortField } from '../src/domain/order-query';
import type { ListParams } from '../src/domain/list-params';
import { DuplicateOrderError, OrderService, PageTooDeepError } from '../src/service/order-service';
import type { OrderStore } from '../src/store/order-store';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { expectedOrder } from './order-store.contract';
import { validOrder } from './helpers';

const DAY0 = Date.UTC(2026, 0, 1);
/** The n-th of the 100 order dates, 50 orders each. */
const day = (n: number): string => new Date(DAY0 + n * 86_400_000).toISOString().slice(0, 10);

/**
 * Store codes: `BIG-0..2` (1,000 orders), `MID-0..3` (1,100), `S-0`, `S-1` (1,450 each);
 * users `user-0..49` (100 each); 100 order dates, 50 orders each.
 */
function tableOrders(): Order[] {
  return Array.from({ length: 5000 }, (_, i) =>
    validOrder({
      dateUuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      userId: `user-${i % 50}`,
      storeCode: i < 1000 ? `BIG-${i % 3}` : i < 2100 ? `MID-${i % 4}` : `S-${i % 2}`,
      productCode: `P-${i % 7}`,
      productQuantity: 1 + (i % 9),
      orderDate: day(i % 100),
      shippingDate: day((i % 100) + 2),
    }),
  );
}

const ORDERS = tableOrders();
let table: SqliteOrderStore;

beforeAll(async () => {
  table = new SqliteOrderStore({ file: ':memory:', bucketRows: 50 });
  await table.migrate();
  await table.bulkLoad(ORDERS);
});

afterAll(() => table.close());

/** What the service asked of the store, one line per call. */
function recording(store: OrderStore): { store: OrderStore; calls: string[] } {
  const calls: string[] = [];
  const describe = (r: PageRequest): string => {
    const whole = Object.keys(r.filter.wholeKeys ?? {});
    return (
      `page ${r.sort.field} ${r.sort.direction} via ${r.via ?? '-'} skip ${r.skip} limit ${r.limit}` +
      (r.from ? ` from${r.from.inclusive ? ' incl' : ''}` : '') +
      (whole.length > 0 ? ` whole ${whole.join(',')}` : '')
    );
  };
  const wrapped = Object.create(store) as OrderStore;
  const wrap = <A extends unknown[], R>(name: string, line: (...args: A) => string): void => {
    const original = (store as unknown as Record<string, (...args: A) => Promise<R>>)[name]!.bind(store);
    (wrapped as unknown as Record<string, unknown>)[name] = (...args: A) => {
      calls.push(line(...args));
      return original(...args);
    };
  };
  wrap('page', (r: PageRequest) => describe(r));
  wrap('count', (_f: OrderFilter, via: SortField) => `count via ${via}`);
  wrap('rank', (via: SortField) => `rank ${via}`);
  wrap('rowAtRank', (via: SortField, rank: number) => `rowAtRank ${via} ${rank}`);
  wrap('total', () => 'total');
  return { store: wrapped, calls };
}

const params = (filter: OrderFilter, field: SortField, direction: 'asc' | 'desc', page = 1, size = 25): ListParams => ({
  filter,
  sort: { field, direction },
  page,
  size,
});

/** Lists one page through a recording store; checks it against the reference ordering. */
async function read(p: ListParams, options: { maxWalk?: number } = {}): Promise<{ calls: string[]; totalExact: boolean }> {
  const { store, calls } = recording(table);
  const result = await new OrderService(store, options).list(p);
  const expected = expectedOrder(ORDERS, p.filter, p.sort);
  const start = (p.page - 1) * p.size;
  expect(result.items).toEqual(expected.slice(start, start + p.size));
  if (result.totalExact) expect(result.totalItems).toBe(expected.length);
  else expect(result.totalItems).toBeGreaterThanOrEqual(expected.length);
  return { calls, totalExact: result.totalExact };
}

/** The call that read the page's rows (the last one), and whether any count or rank lookup preceded it. */
const howRead = (calls: readonly string[]): { rows: string; counted: string[]; seekedToPage: boolean } => ({
  rows: calls[calls.length - 1]!,
  counted: calls.filter((c) => c.startsWith('count')),
  seekedToPage: calls.some((c) => c.startsWith('rowAtRank')),
});

describe('the whole list and date ranges under the date sort lie together in an index: no count', () => {
  test('page 1 of the whole list costs the row total and one read, no seek', async () => {
    const { calls } = await read(params({}, 'orderDate', 'desc'));
    expect(calls).toEqual(['total', 'page orderDate desc via orderDate skip 0 limit 25']);
  });

  test('a deep page of the whole list is a seek to its first row, then one read', async () => {
    const { calls } = await read(params({}, 'userId', 'asc', 3));
    expect(calls).toEqual(['total', 'rowAtRank userId 50', 'page userId asc via userId skip 0 limit 25 from incl']);
  });

  test('a date range under the date sort: its ends are found by two seeks and two ranks; a deep page is a seek', async () => {
    const { calls } = await read(params({ orderDateFrom: day(50) }, 'orderDate', 'desc', 3));
    expect(calls).toEqual([
      'page orderDate asc via orderDate skip 0 limit 1',
      'page orderDate desc via orderDate skip 0 limit 1',
      'rank orderDate',
      'rank orderDate',
      'rowAtRank orderDate 4949',
      'page orderDate desc via orderDate skip 0 limit 25 from incl',
    ]);
  });

  test('a date range under another sort is no run of that index: it is counted where it lies together', async () => {
    const { calls } = await read(params({ orderDateFrom: day(90) }, 'userId', 'asc', 2));
    expect(howRead(calls)).toEqual({ rows: 'page userId asc via orderDate skip 25 limit 25', counted: ['count via orderDate'], seekedToPage: false });
  });
});

describe('a text filter is read through the tightest range that holds it', () => {
  test('a prefix under its own sort is one run of that index: a seek, no count', async () => {
    const { calls } = await read(params({ storeCode: 'mid-' }, 'storeCode', 'asc', 3));
    expect(calls).toEqual([
      'page storeCode asc via storeCode skip 0 limit 1',
      'page storeCode desc via storeCode skip 0 limit 1',
      'rank storeCode',
      'rank storeCode',
      'rowAtRank storeCode 1050',
      'page storeCode asc via storeCode skip 0 limit 25 from incl',
    ]);
  });

  test('a prefix of one value is compared whole and read in date order through its own index, with or without dates', async () => {
    for (const [filter, field] of [
      [{ storeCode: 'BIG-1' }, 'orderDate'],
      [{ storeCode: 'big-1', orderDateFrom: day(10) }, 'orderDate'],
      [{ storeCode: 'big-1', orderDateFrom: day(10) }, 'storeCode'],
    ] as const) {
      const { calls } = await read(params(filter, field, 'desc', 2));
      expect(howRead(calls)).toEqual({
        rows: `page ${field} desc via storeCode skip 0 limit 25 from incl whole storeCode`,
        counted: [],
        seekedToPage: true,
      });
    }
  });

  test('a prefix of several values (1,000 orders) under the date sort is sorted from its own range and counted there', async () => {
    const { calls, totalExact } = await read(params({ storeCode: 'big-' }, 'orderDate', 'desc', 2));
    expect(howRead(calls)).toEqual({
      rows: 'page orderDate desc via storeCode skip 25 limit 25',
      counted: ['count via storeCode'],
      seekedToPage: false,
    });
    expect(totalExact).toBe(true);
  });

  test("1,100 orders are still sorted when each walked entry of the sort's index would cost a table lookup (limit 1,118)", async () => {
    for (const [filter, field] of [
      [{ storeCode: 'mid-' }, 'orderDate'],
      // The user index holds the order date but not the store code.
      [{ storeCode: 'mid-', orderDateFrom: day(0) }, 'userId'],
    ] as const) {
      const { calls } = await read(params(filter, field, 'asc', 2));
      expect(howRead(calls)).toEqual({
        rows: `page ${field} asc via storeCode skip 25 limit 25`,
        counted: ['count via storeCode'],
        seekedToPage: false,
      });
    }
  });

  test("where the sort's index holds every filtered column, 1,000 orders are sorted and 1,100 are walked", async () => {
    const sorted = await read(params({ storeCode: 'big-', orderDateFrom: day(0) }, 'storeCode', 'asc', 2));
    expect(howRead(sorted.calls)).toEqual({
      rows: 'page storeCode asc via storeCode skip 25 limit 25',
      counted: ['count via storeCode'],
      seekedToPage: false,
    });
    const walked = await read(params({ storeCode: 'mid-', orderDateFrom: day(0) }, 'storeCode', 'asc', 2));
    expect(howRead(walked.calls)).toEqual({ rows: 'page storeCode asc via storeCode skip 25 limit 25', counted: [], seekedToPage: false });
    // Walked: the total is the range's size, an upper bound.
    expect(walked.totalExact).toBe(false);
  });

  test('a whole value with dates under a third sort: its range is sought as the whole value', async () => {
    const { calls } = await read(params({ storeCode: 'S-0', orderDateFrom: day(97) }, 'userId', 'asc'));
    expect(calls.filter((c) => c.endsWith('whole storeCode'))).toEqual([
      'page storeCode asc via storeCode skip 0 limit 1 whole storeCode',
      'page storeCode desc via storeCode skip 0 limit 1 whole storeCode',
      'page userId asc via storeCode skip 0 limit 25 whole storeCode',
    ]);
  });

  test('the tightest of the ranges is read: the date range when it is the smaller one', async () => {
    // Dates: the last 2 days, 100 orders; the user prefix holds every order.
    const { calls } = await read(params({ userId: 'user-', orderDateFrom: day(98) }, 'productCode', 'asc'));
    expect(howRead(calls)).toEqual({
      rows: 'page productCode asc via orderDate skip 0 limit 25',
      counted: ['count via orderDate'],
      seekedToPage: false,
    });
  });

  test('page 1 of a walked filter reads the sort’s own index, and so do its cursor pages and the CSV stream', async () => {
    const { store, calls } = recording(table);
    const service = new OrderService(store);
    const sort: OrderSort = { field: 'productCode', direction: 'asc' };
    const filter: OrderFilter = { storeCode: 's-' };
    const first = await service.list({ filter, sort, page: 1, size: 25 });
    expect(calls[calls.length - 1]).toBe('page productCode asc via productCode skip 0 limit 25');
    await service.list({ filter, sort, page: 2, size: 25, cursor: { direction: 'after', key: sortKeyOf(first.items[24]!, 'productCode') } });
    expect(calls[calls.length - 1]).toBe('page productCode asc via productCode skip 0 limit 26 from');
    calls.length = 0;
    let streamed = 0;
    for await (const _ of service.stream(filter, sort, 1000)) streamed++;
    expect(streamed).toBe(2900);
    expect(calls.filter((c) => c.startsWith('page productCode'))).toEqual([
      'page productCode asc via productCode skip 0 limit 1000',
      'page productCode asc via productCode skip 0 limit 1000 from',
      'page productCode asc via productCode skip 0 limit 1000 from',
    ]);
  });
});

test('two text filters are no run of either one’s index, even when the first is one whole value', async () => {
  for (const [filter, field] of [
    [{ userId: 'user-', storeCode: 's-' }, 'userId'],
    [{ userId: 'user-7', storeCode: 's-' }, 'orderDate'],
    [{ userId: 'user-7', storeCode: 's-' }, 'userId'],
  ] as const) {
    const { calls } = await read(params(filter, field, 'asc', 2));
    expect(howRead(calls).seekedToPage).toBe(false);
  }
});

test('the CSV stream of a sorted range reads it through that range’s index, in batches from a keyset', async () => {
  const { store, calls } = recording(table);
  const sort: OrderSort = { field: 'orderDate', direction: 'desc' };
  const seen: Order[] = [];
  for await (const o of new OrderService(store).stream({ storeCode: 'big-' }, sort, 600)) seen.push(o);
  expect(seen).toEqual(expectedOrder(ORDERS, { storeCode: 'big-' }, sort));
  expect(calls.filter((c) => c.startsWith('page orderDate'))).toEqual([
    'page orderDate desc via storeCode skip 0 limit 600',
    'page orderDate desc via storeCode skip 0 limit 600 from',
  ]);
});

describe('totals of walked filters', () => {
  test.each<[string, OrderFilter, SortField, boolean]>([
    ['dates alone are counted exactly by their range', { orderDateFrom: day(50) }, 'userId', true],
    ['one prefix alone: its range is exactly its matches', { storeCode: 's-' }, 'userId', true],
    ['one whole value with dates', { storeCode: 'S-1', orderDateFrom: day(0) }, 'userId', true],
    ['a prefix of several values with dates: an upper bound', { storeCode: 'mid-', orderDateFrom: day(0) }, 'storeCode', false],
    ['two text filters: an upper bound', { storeCode: 's-', userId: 'user-' }, 'productCode', false],
    ['a text filter with dates, the dates the tighter: an upper bound', { userId: 'user-', orderDateFrom: day(50) }, 'productCode', false],
  ])('%s', async (_name, filter, field, exact) => {
    const { calls, totalExact } = await read(params(filter, field, 'asc'));
    expect(calls.filter((c) => c.startsWith('count'))).toEqual([]);
    expect(totalExact).toBe(exact);
  });
});

describe('a walked page is read from the nearer end of the index, and refused when both are too far', () => {
  // Dates from day 50: 2,500 of the 5,000 orders, so two user-index steps per match; a walk may take 200.
  const filter: OrderFilter = { orderDateFrom: day(50) };

  test.each(['asc', 'desc'] as const)('%s: pages 1-10 from the front, 241-250 from the back, 11-240 refused', async (direction) => {
    const at = (page: number, size = 10): Promise<{ calls: string[] }> => read(params(filter, 'userId', direction, page, size), { maxWalk: 200 });
    expect((await at(10)).calls.at(-1)).toBe(`page userId ${direction} via userId skip 90 limit 10`);
    const back = direction === 'asc' ? 'desc' : 'asc';
    expect((await at(241)).calls.at(-1)).toBe(`page userId ${back} via userId skip 90 limit 10`);
    expect((await at(250)).calls.at(-1)).toBe(`page userId ${back} via userId skip 0 limit 10`);
    // A last page of 1 row (2,500 = 357 × 7 + 1).
    expect((await at(358, 7)).calls.at(-1)).toBe(`page userId ${back} via userId skip 0 limit 1`);
    for (const page of [11, 240]) {
      await expect(at(page)).rejects.toThrow(new PageTooDeepError(page, 'Order Date').message);
    }
  });

  test('an upper-bound total cannot be counted from the back: near its end is refused too', async () => {
    const near = params({ storeCode: 'mid-', orderDateFrom: day(0) }, 'storeCode', 'asc', 44);
    await expect(read(near, { maxWalk: 200 })).rejects.toBeInstanceOf(PageTooDeepError);
  });
});

describe('a refused page names a sort that reaches every page of the filter, when there is one', () => {
  const refusal = async (filter: OrderFilter, field: SortField): Promise<string> => {
    const service = new OrderService(table, { maxWalk: 0 });
    const err: unknown = await service.list(params(filter, field, 'asc', 30, 10)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PageTooDeepError);
    expect(err).toMatchObject({ name: 'PageTooDeepError', page: 30 });
    return (err as Error).message;
  };
  const advice = (sortBy?: string): string =>
    `Query parameter "page": page 30 of this filter under this sort cannot be reached directly without scanning most of the orders. ` +
    `Use the Next and Previous links, ${sortBy ? `sort by ${sortBy}, ` : ''}or narrow the filter.`;

  test.each<[string, OrderFilter, SortField, string | undefined]>([
    ['dates alone: the order date', { orderDateFrom: day(50) }, 'userId', 'Order Date'],
    ['one prefix alone: its column', { storeCode: 's-' }, 'userId', 'Store Code'],
    ['one whole value with a start date: its column', { storeCode: 'S-0', orderDateFrom: day(0) }, 'userId', 'Store Code'],
    ['one whole value with an end date: its column', { storeCode: 'S-0', orderDateTo: day(99) }, 'userId', 'Store Code'],
    ['a prefix of several values with a start date: none', { storeCode: 'mid-', orderDateFrom: day(0) }, 'storeCode', undefined],
    ['a prefix of several values with an end date: none', { storeCode: 'mid-', orderDateTo: day(99) }, 'storeCode', undefined],
    ['two text filters: none', { storeCode: 's-', userId: 'user-' }, 'productCode', undefined],
  ])('%s', async (_name, filter, field, sortBy) => {
    expect(await refusal(filter, field)).toBe(advice(sortBy));
  });
});

describe('cursor pages', () => {
  const sorted = (filter: OrderFilter, sort: OrderSort): Order[] => expectedOrder(ORDERS, filter, sort);

  test.each(['asc', 'desc'] as const)(
    'under a range (%s) the page number comes from the row, not from the link, which may be stale',
    async (direction) => {
      const service = new OrderService(table);
      const filter: OrderFilter = { storeCode: 'mid-' };
      const sort: OrderSort = { field: 'storeCode', direction };
      const all = sorted(filter, sort);
      const next = await service.list({ filter, sort, page: 99, size: 10, cursor: { direction: 'after', key: sortKeyOf(all[29]!, 'storeCode') } });
      expect(next).toMatchObject({ page: 4, offset: 30, hasPrevious: true, hasNext: true, totalItems: 1100 });
      expect(next.items).toEqual(all.slice(30, 40));
      const previous = await service.list({
        filter,
        sort,
        page: 1,
        size: 10,
        cursor: { direction: 'before', key: sortKeyOf(all[40]!, 'storeCode') },
      });
      expect(previous).toMatchObject({ page: 4, offset: 30, hasPrevious: true, hasNext: true });
    },
  );

  test('under a sorted range the link carries the page number: Next, Previous, the first and the last page', async () => {
    const service = new OrderService(table);
    const filter: OrderFilter = { storeCode: 'big-' };
    const sort: OrderSort = { field: 'orderDate', direction: 'desc' };
    const all = sorted(filter, sort);
    const key = (i: number): ReturnType<typeof sortKeyOf> => sortKeyOf(all[i]!, 'orderDate');
    const list = (page: number, cursor: ListParams['cursor']): ReturnType<OrderService['list']> =>
      service.list({ filter, sort, page, size: 10, cursor });

    const { store, calls } = recording(table);
    await new OrderService(store).list({ filter, sort, page: 3, size: 10, cursor: { direction: 'after', key: key(19) } });
    expect(calls.at(-1)).toBe('page orderDate desc via storeCode skip 0 limit 11 from');
    const third = await list(3, { direction: 'after', key: key(19) });
    expect(third).toMatchObject({ page: 3, offset: 20, hasPrevious: true, hasNext: true, totalItems: 1000, totalPages: 100 });
    expect(third.items).toEqual(all.slice(20, 30));
    const second = await list(2, { direction: 'before', key: key(20) });
    expect(second).toMatchObject({ page: 2, offset: 10, hasPrevious: true, hasNext: true });
    expect(second.items).toEqual(all.slice(10, 20));
    // Back at the start, whatever page the link said.
    const first = await list(2, { direction: 'before', key: key(10) });
    expect(first).toMatchObject({ page: 1, offset: 0, hasPrevious: false, hasNext: true });
    expect(first.items).toEqual(all.slice(0, 10));
    const last = await list(100, { direction: 'after', key: key(989) });
    expect(last).toMatchObject({ page: 100, offset: 990, hasPrevious: true, hasNext: false });
    // A link whose page number no longer fits: the total grows to cover the rows shown.
    const stale = await list(200, { direction: 'after', key: key(989) });
    expect(stale).toMatchObject({ page: 200, offset: 1990, totalItems: 2000, totalPages: 200, hasNext: false });
  });
});

test('a row gone between planning and reading (deleted meanwhile) gives an empty page, not an error', async () => {
  const gone = Object.create(table) as OrderStore;
  gone.rowAtRank = () => Promise.resolve(undefined);
  const result = await new OrderService(gone).list(params({}, 'userId', 'asc', 3));
  expect(result.items).toEqual([]);
  expect(result.totalItems).toBe(5000);
});

test('errors say what happened by name and message', async () => {
  const store = new SqliteOrderStore({ file: ':memory:' });
  await store.migrate();
  const service = new OrderService(store);
  const order = validOrder();
  await service.create(order);
  const err: unknown = await service.create(order).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DuplicateOrderError);
  expect(err).toMatchObject({
    name: 'DuplicateOrderError',
    message: `An order with Date UUID ${order.dateUuid} and this User ID already exists.`,
    dateUuid: order.dateUuid,
    userId: order.userId,
  });
  await store.close();
});
