import { decodeCursor, encodeCursor, listQueryString, pageLinks, parseListParams, type ListParams } from '../src/domain/list-params';
import type { Order } from '../src/domain/order';
import type { OrderPage } from '../src/service/order-service';
import { orderListContent, pageNumbers } from '../src/views/order-list-page';
import { validOrder } from './helpers';

const paramsOf = (query: Record<string, string>): ListParams => {
  const parsed = parseListParams(query);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
};

const rows = (n: number, overrides: Partial<Order> = {}): Order[] =>
  Array.from({ length: n }, (_, i) => validOrder({ dateUuid: `1b9d6bcd-bbfd-4b2d-9b5d-${String(i).padStart(12, '0')}`, ...overrides }));

function pageOf(page: number, totalItems: number, size = 25, overrides: Partial<OrderPage> = {}): OrderPage {
  const totalPages = Math.max(1, Math.ceil(totalItems / size));
  const offset = (page - 1) * size;
  return {
    items: rows(Math.min(size, totalItems - offset)),
    page,
    size,
    offset,
    totalItems,
    totalExact: true,
    totalPages,
    hasPrevious: page > 1,
    hasNext: page < totalPages,
    ...overrides,
  };
}

const render = (query: Record<string, string>, result: OrderPage): string =>
  orderListContent({ params: paramsOf(query), result, canAdd: true }).value;

test('numbers the first, the last and the neighbours of the current page, with gaps', () => {
  expect(pageNumbers(5, 40_000, true)).toEqual([1, null, 4, 5, 6, null, 40_000]);
  expect(pageNumbers(1, 3, true)).toEqual([1, 2, 3]);
  expect(pageNumbers(1, 40_000, true)).toEqual([1, 2, null, 40_000]);
  expect(pageNumbers(40_000, 40_000, true)).toEqual([1, null, 39_999, 40_000]);
  // A gap of one page shows that page rather than an ellipsis.
  expect(pageNumbers(4, 7, true)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  // Without an exact total there is no last page to link to.
  expect(pageNumbers(5, 40, false)).toEqual([1, null, 4, 5, 6]);
});

test('a deep page groups every number: totals, range, page numbers and status', () => {
  const text = render({ page: '4000' }, pageOf(4000, 102_002));
  expect(text).toContain('<caption>Orders 99,976–100,000 of 102,002</caption>');
  expect(text).toContain('Page 4,000 of 4,081');
  expect(text).toMatch(/aria-current="page" href="\/\?page=4000">4,000<\/a>/);
  expect(text).toMatch(/rel="last" href="\/\?page=4081" aria-label="Page 4,081">4,081<\/a>/);
  expect(text).toMatch(/rel="first" href="\/" aria-label="Page 1">1<\/a>/);
  expect(text.match(/class="gap"/g)).toHaveLength(4);
  expect(text).not.toMatch(/>\d{4,}</);
});

test('the pager is shown above and below the table, with keyset Previous and Next', () => {
  const text = render({ page: '2', size: '10' }, pageOf(2, 65, 10));
  const table = text.indexOf('<table');
  const navs = [...text.matchAll(/<nav class="pagination (top|bottom)"/g)];
  expect(navs.map((m) => m[1])).toEqual(['top', 'bottom']);
  expect(navs[0]!.index).toBeLessThan(table);
  expect(navs[1]!.index).toBeGreaterThan(table);
  expect(text.match(/rel="prev" href="\/\?size=10&amp;before=[A-Za-z0-9_-]+"/g)).toHaveLength(2);
  expect(text.match(/rel="next" href="\/\?size=10&amp;page=3&amp;after=[A-Za-z0-9_-]+"/g)).toHaveLength(2);
  expect(text).toContain('<form class="jump"');
});

test('no pager when every order fits on one page', () => {
  const text = render({}, pageOf(1, 7));
  expect(text).toContain('<caption>Orders 1–7 of 7</caption>');
  expect(text).not.toContain('class="pagination');
  expect(text).not.toContain('class="jump"');
  expect(text).not.toContain('Previous');
});

test('an upper-bound total says so and links no last page', () => {
  const text = render({ userId: 'u', storeCode: 's', page: '2' }, pageOf(2, 5_000, 25, { totalExact: false }));
  expect(text).toContain('of at most 5,000</caption>');
  expect(text).toContain('Page 2 of at most 200');
  expect(text).not.toContain('rel="last"');
});

test('sortable headers are links with the current sort shown and aria-sort on its th only', () => {
  const text = render({ sort: 'storeCode', dir: 'asc' }, pageOf(1, 3));
  const th = /<th scope="col" aria-sort="ascending">(.*?)<\/th>/.exec(text)![1]!;
  expect(th).toMatch(/^<a class="sort current" href="[^"]*sort=storeCode&amp;dir=desc" title="Sort by Store Code, descending">/);
  expect(th).toMatch(/>Store Code<span class="sort-mark" aria-hidden="true">▲<\/span><\/a>$/);
  expect(text.match(/aria-sort=/g)).toHaveLength(1);
  expect(text.match(/<a class="sort"/g)).toHaveLength(6);
  expect(text).toContain('<th scope="col">Card Number</th>');
});

test('quantities are grouped and card numbers masked', () => {
  const text = orderListContent({
    params: paramsOf({}),
    result: { ...pageOf(1, 1), items: [validOrder({ productQuantity: 10_000, cardNumber: '4111111111111111' })] },
    canAdd: false,
  }).value;
  expect(text).toContain('>10,000</td>');
  expect(text).toContain('**** **** **** 1111');
  expect(text).not.toContain('4111111111111111');
});

describe('list parameters', () => {
  const errorsOf = (query: Record<string, unknown>): Record<string, string> => {
    const parsed = parseListParams(query);
    if (parsed.ok) throw new Error(`expected errors for ${JSON.stringify(query)}`);
    return parsed.errors;
  };
  const cursorOf = (key: unknown[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

  test('without parameters: page 1 of 25, newest order date first, no filter, no cursor', () => {
    expect(parseListParams({})).toEqual({
      ok: true,
      value: { page: 1, size: 25, sort: { field: 'orderDate', direction: 'desc' }, filter: {}, cursor: undefined },
    });
  });

  test('each parameter is read, trimmed; empty ones as an empty form sends them mean no filter', () => {
    expect(
      paramsOf({
        page: ' 3 ',
        size: '100',
        sort: 'userId',
        userId: ' Jose\u0301 ',
        storeCode: '',
        productCode: 'P-1',
        from: '2026-01-01',
        to: '2026-01-01',
      }),
    ).toEqual({
      page: 3,
      size: 100,
      sort: { field: 'userId', direction: 'asc' },
      filter: { userId: 'Jos\u00e9', productCode: 'P-1', orderDateFrom: '2026-01-01', orderDateTo: '2026-01-01' },
      cursor: undefined,
    });
    expect(paramsOf({ sort: 'orderDate' }).sort).toEqual({ field: 'orderDate', direction: 'desc' });
    expect(paramsOf({ sort: 'storeCode', dir: 'desc' }).sort).toEqual({ field: 'storeCode', direction: 'desc' });
    expect(paramsOf({ dir: 'asc' }).sort).toEqual({ field: 'orderDate', direction: 'asc' });
    expect(paramsOf({ page: '1000000000', size: '1' })).toMatchObject({ page: 1_000_000_000, size: 1 });
  });

  test.each([
    [{ page: '0' }, { page: 'Query parameter "page" must be a whole number from 1 to 1000000000; got "0".' }],
    [{ page: '1000000001' }, { page: 'Query parameter "page" must be a whole number from 1 to 1000000000; got "1000000001".' }],
    [{ page: '12345678901' }, { page: 'Query parameter "page" must be a whole number from 1 to 1000000000; got "12345678901".' }],
    [{ page: '2x' }, { page: 'Query parameter "page" must be a whole number from 1 to 1000000000; got "2x".' }],
    [{ page: 'x2' }, { page: 'Query parameter "page" must be a whole number from 1 to 1000000000; got "x2".' }],
    [{ size: '101' }, { size: 'Query parameter "size" must be a whole number from 1 to 100; got "101".' }],
    [{ size: '9'.repeat(30) }, { size: `Query parameter "size" must be a whole number from 1 to 100; got "${'9'.repeat(20)}".` }],
    [
      { sort: 'cardNumber' },
      { sort: 'Query parameter "sort" must be one of orderDate, shippingDate, dateUuid, userId, storeCode, productCode, productQuantity.' },
    ],
    [{ dir: 'up' }, { dir: 'Query parameter "dir" must be "asc" or "desc".' }],
    [{ userId: ['a', 'b'] }, { userId: 'Query parameter "userId" must be given once.' }],
    [{ storeCode: 'x'.repeat(65) }, { storeCode: 'Filter "storeCode" must be at most 64 characters without control characters.' }],
    [{ productCode: 'a\u0007b' }, { productCode: 'Filter "productCode" must be at most 64 characters without control characters.' }],
    [{ userId: 'a\u009fb' }, { userId: 'Filter "userId" must be at most 64 characters without control characters.' }],
    [{ userId: '\u0000' }, { userId: 'Filter "userId" must be at most 64 characters without control characters.' }],
    [{ from: '2026-13-01' }, { from: 'Filter "from" must be a real date in the form YYYY-MM-DD.' }],
    [{ to: '2026-1-1' }, { to: 'Filter "to" must be a real date in the form YYYY-MM-DD.' }],
    [{ from: '2026-02-02', to: '2026-02-01' }, { to: 'Filter "to" must not be before "from".' }],
    [{ after: 'x' }, { after: 'Query parameter "after" must be a position from this list\'s Next or Previous link (for the same sort).' }],
    [{ after: cursorOf(['2026-01-01', 'a', 'b']), before: cursorOf(['2026-01-01', 'a', 'b']) }, { before: 'Give "after" or "before", not both.' }],
  ])('%j is refused with %j', (query, errors) => {
    expect(errorsOf(query)).toEqual(errors);
  });

  test('a filter of 64 characters, or of 32 emoji, is kept; a no-break space is not a control character', () => {
    expect(paramsOf({ storeCode: 'x'.repeat(64), userId: '😀'.repeat(32), productCode: 'a\u00a0b' }).filter).toEqual({
      storeCode: 'x'.repeat(64),
      userId: '😀'.repeat(32),
      productCode: 'a\u00a0b',
    });
  });

  test('a cursor is the sort key as base64url JSON, read back only for the same sort and within what the columns hold', () => {
    const key = ['2026-01-01', '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', 'user-1'];
    expect(encodeCursor(key)).toBe(cursorOf(key));
    expect(decodeCursor(encodeCursor(key), 'orderDate')).toEqual(key);
    expect(decodeCursor(encodeCursor(key), 'dateUuid')).toBeUndefined();
    expect(decodeCursor(encodeCursor([2 ** 31 - 1, '2026-01-01', 'a', 'b']), 'productQuantity')).toEqual([2 ** 31 - 1, '2026-01-01', 'a', 'b']);
    expect(decodeCursor(encodeCursor([-(2 ** 31) + 1, '2026-01-01', 'a', 'b']), 'productQuantity')).toEqual([-(2 ** 31) + 1, '2026-01-01', 'a', 'b']);
    for (const bad of [
      [2 ** 31, '2026-01-01', 'a', 'b'],
      [1.5, '2026-01-01', 'a', 'b'],
      ['1', '2026-01-01', 'a', 'b'],
      [1, '2026-01-01', 'a', 2],
      [1, '2026-01-01', 'a', 'x'.repeat(65)],
    ])
      expect(decodeCursor(encodeCursor(bad), 'productQuantity')).toBeUndefined();
    expect(decodeCursor(encodeCursor(['2026-01-01', 'x'.repeat(64), 'b']), 'orderDate')).toEqual(['2026-01-01', 'x'.repeat(64), 'b']);
    expect(decodeCursor(encodeCursor(['2026-01-01', '2026-01-02', 'a', 'b']), 'shippingDate')).toEqual(['2026-01-01', '2026-01-02', 'a', 'b']);
    expect(decodeCursor(encodeCursor(['2026-01-01', '2026-02-30', 'a', 'b']), 'shippingDate')).toBeUndefined();
    expect(decodeCursor(encodeCursor(['2026-02-30', '2026-01-01', 'a', 'b']), 'shippingDate')).toBeUndefined();
    // A value inside an array would pass a check that reads it as a string.
    expect(decodeCursor(encodeCursor([['2026-01-01'], 'a', 'b'] as never), 'orderDate')).toBeUndefined();
    expect(decodeCursor(encodeCursor(['2026-01-01', ['a'], 'b'] as never), 'orderDate')).toBeUndefined();
    expect(decodeCursor(encodeCursor({ 0: 'a', 1: 'b', length: 2 } as never), 'dateUuid')).toBeUndefined();
    expect(decodeCursor(`${encodeCursor(['a', 'b'])}=`, 'dateUuid')).toBeUndefined();
    expect(decodeCursor(`!${encodeCursor(['a', 'b'])}`, 'dateUuid')).toBeUndefined();
    expect(decodeCursor(Buffer.from('["a","b"').toString('base64url'), 'dateUuid')).toBeUndefined();
    const long = encodeCursor(['a'.repeat(64), 'b'.repeat(64)]);
    expect(decodeCursor(long, 'dateUuid')).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
    expect(decodeCursor(long.padEnd(601, 'A'), 'dateUuid')).toBeUndefined();
    expect(paramsOf({ before: encodeCursor(key) }).cursor).toEqual({ direction: 'before', key });
  });

  test('list URLs leave out defaults and keep every filter, the sort, the size, the page and a cursor', () => {
    expect(listQueryString(paramsOf({}))).toBe('');
    const params = paramsOf({
      userId: 'u 1',
      storeCode: 'S',
      productCode: 'P',
      from: '2026-01-01',
      to: '2026-02-01',
      sort: 'userId',
      size: '10',
      page: '3',
    });
    expect(listQueryString(params)).toBe('?userId=u+1&storeCode=S&productCode=P&from=2026-01-01&to=2026-02-01&sort=userId&dir=asc&size=10&page=3');
    expect(listQueryString(paramsOf({ dir: 'asc' }))).toBe('?sort=orderDate&dir=asc');
    const cursor = { direction: 'after' as const, key: ['2026-01-01', 'a', 'b'] };
    expect(listQueryString(paramsOf({ page: '2' }), { page: 3, cursor })).toBe(`?page=3&after=${encodeCursor(cursor.key)}`);
    expect(listQueryString({ ...paramsOf({}), cursor })).toBe('');
  });

  test('Previous and Next carry the edge rows; First only when there is a previous page, Last only when the total is exact', () => {
    const params = paramsOf({ size: '10' });
    const items = rows(10);
    const keyOf = (o: Order) => encodeCursor(['2026-06-01', o.dateUuid, 'user-1']);
    const links = pageLinks(params, { items, page: 3, totalPages: 9, totalExact: true, hasPrevious: true, hasNext: true });
    expect(links).toEqual({
      first: '/?size=10',
      previous: `/?size=10&page=2&before=${keyOf(items[0]!)}`,
      next: `/?size=10&page=4&after=${keyOf(items[9]!)}`,
      last: '/?size=10&page=9',
    });
    expect(pageLinks(params, { items, page: 1, totalPages: 9, totalExact: false, hasPrevious: false, hasNext: true })).toEqual({
      first: undefined,
      previous: undefined,
      next: `/?size=10&page=2&after=${keyOf(items[9]!)}`,
      last: undefined,
    });
    expect(pageLinks(params, { items: [], page: 1, totalPages: 1, totalExact: true, hasPrevious: true, hasNext: true })).toEqual({
      first: '/?size=10',
      previous: undefined,
      next: undefined,
      last: '/?size=10',
    });
  });
});
