import { parseListParams, type ListParams } from '../src/domain/list-params';
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
