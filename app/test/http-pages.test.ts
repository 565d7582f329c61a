import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import request from 'supertest';
import { demoOrders } from '../src/domain/demo-orders';
import type { Order } from '../src/domain/order';
import { parseUrlEncoded } from '../src/http/body';
import { csvField, csvHeader, csvRow, streamCsv } from '../src/http/csv';
import { verifyCsrfToken } from '../src/http/csrf';
import { makeTestApp, NOW, validOrder, type TestApp } from './helpers';
import { prefixOrders } from './order-store.contract';

const form = (overrides: Record<string, string> = {}): Record<string, string> => ({
  date_uuid: '2f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90',
  user_id: 'shop-user-7',
  card_number: '4111 1111 1111 1111',
  store_code: 'WEB-1388012W',
  product_code: 'R7-3126933h',
  product_quantity: '3',
  order_date: '2026-06-10',
  shipping_date: '2026-06-12',
  ...overrides,
});

/** Opens the form like a browser: returns the cookie and the token in the page. */
async function openForm(t: TestApp): Promise<{ cookie: string; token: string; page: string }> {
  const res = await request(t.app).get('/orders/new').expect(200);
  const cookie = (res.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)![1]!;
  return { cookie, token, page: res.text };
}

async function seed(t: TestApp, n: number): Promise<void> {
  await t.store.bulkLoad(demoOrders(n, { seed: 11, today: NOW }));
}

describe('order list page', () => {
  test('shows 25 newest orders with masked card numbers and the original columns', async () => {
    const t = await makeTestApp();
    await seed(t, 60);
    const res = await request(t.app).get('/').expect(200).expect('Content-Type', /html/);
    expect(res.text.match(/<tr>|<tr class/g)!.length - 1).toBe(25);
    for (const label of ['Date UUID', 'User ID', 'Card Number', 'Store Code', 'Product Code', 'Product Quantity', 'Order Date', 'Shipping Date'])
      expect(res.text).toContain(label);
    expect(res.text).toContain('Page 1 of 3');
    expect(res.text).not.toMatch(/\d{13,19}/);
    expect(res.text).toMatch(/\*\*\*\* \*\*\*\* \*\*\*\* \d{4}/);
    const dates = [...res.text.matchAll(/<td class="date" data-label="Order Date">(\d{4}-\d{2}-\d{2})<\/td>/g)].map((m) => m[1]!);
    expect(dates).toHaveLength(25);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  test('paginates with numbered pages (first and last among them), keyset Previous and Next, a jump form, keeping filters and sort', async () => {
    const t = await makeTestApp();
    await seed(t, 60);
    const res = await request(t.app).get('/?page=2&size=10&sort=storeCode&dir=asc&from=2024-01-01').expect(200);
    expect(res.text).toContain('Page 2 of');
    expect(res.text).toMatch(/rel="first" href="\/\?from=2024-01-01&amp;sort=storeCode&amp;dir=asc&amp;size=10"/);
    expect(res.text).toMatch(/rel="prev" href="[^"]*from=2024-01-01[^"]*size=10&amp;before=[A-Za-z0-9_-]+"/);
    expect(res.text).toMatch(/rel="next" href="[^"]*page=3&amp;after=[A-Za-z0-9_-]+"/);
    expect(res.text).toMatch(/rel="last" href="[^"]*page=\d+"/);
    expect(res.text).toContain('<input type="hidden" name="from" value="2024-01-01">');
    expect(res.text).toContain('aria-sort="ascending"');
  });

  test('Next and Previous links lead to the neighbouring pages, and Next skips nothing after orders are added', async () => {
    const t = await makeTestApp({ bucketRows: 3 });
    await seed(t, 60);
    const rowsOf = (text: string): string[] =>
      [...text.matchAll(/<tr>\s*<td class="id" data-label="Date UUID"><span class="short-id mono" title="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    const hrefOf = (text: string, rel: string): string =>
      /rel="(?:[^"]*)" href="([^"]*)"/
        .exec(text.split(`rel="${rel}"`)[1] ? `rel="${rel}"${text.split(`rel="${rel}"`)[1]}` : '')![1]!
        .replace(/&amp;/g, '&');
    const page2 = (await request(t.app).get('/?page=2&size=10').expect(200)).text;
    const page3 = (await request(t.app).get('/?page=3&size=10').expect(200)).text;
    const page1 = (await request(t.app).get('/?size=10').expect(200)).text;
    expect(rowsOf((await request(t.app).get(hrefOf(page2, 'next')).expect(200)).text)).toEqual(rowsOf(page3));
    expect(rowsOf((await request(t.app).get(hrefOf(page2, 'prev')).expect(200)).text)).toEqual(rowsOf(page1));
    // Newer orders arrive at the top: Next from page 2 still continues right after its last row.
    for (let i = 0; i < 5; i++)
      await t.service.create(
        validOrder({ dateUuid: `ffffffff-0000-4000-8000-00000000000${i}`, orderDate: '2026-06-15', shippingDate: '2026-06-16' }),
      );
    const next = (await request(t.app).get(hrefOf(page2, 'next')).expect(200)).text;
    expect(rowsOf(next)).toEqual(rowsOf(page3));
    expect(next).toContain('Orders 26–35 of 65');
  });

  test('a cursor that is not one from a link is a 400 naming it', async () => {
    const t = await makeTestApp();
    const res = await request(t.app).get('/?after=not-a-cursor').expect(400);
    expect(res.text).toContain('Query parameter &quot;after&quot; must be a position from this list&#39;s Next or Previous link');
    const wrongSort = Buffer.from(JSON.stringify(['2026-01-01', 'x', 'y'])).toString('base64url');
    await request(t.app).get(`/?sort=productQuantity&before=${wrongSort}`).expect(400);
    // A key of the right types but another length: the date sort's three parts are not the Date UUID sort's two.
    const cursor = (key: unknown[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');
    await request(t.app)
      .get(`/?sort=dateUuid&after=${cursor(['a', 'b'])}`)
      .expect(200);
    await request(t.app)
      .get(`/?sort=dateUuid&after=${cursor(['a', 'b', 'c'])}`)
      .expect(400);
    await request(t.app)
      .get(`/?sort=dateUuid&after=${cursor(['a'])}`)
      .expect(400);
    // Dates a column would shift or refuse, and text longer than the column.
    await request(t.app)
      .get(`/?after=${cursor(['2026-05-01', 'a', 'b'])}`)
      .expect(200);
    await request(t.app)
      .get(`/?after=${cursor(['2026-02-30', 'a', 'b'])}`)
      .expect(400);
    await request(t.app)
      .get(`/?after=${cursor(['abc', 'a', 'b'])}`)
      .expect(400);
    await request(t.app)
      .get(`/?sort=userId&after=${cursor(['😀'.repeat(33), '2026-05-01', 'a', 'u'])}`)
      .expect(400);
    await request(t.app)
      .get(`/?sort=userId&after=${cursor(['😀'.repeat(32), '2026-05-01', 'a', 'U'])}`)
      .expect(200);
    // A text sort's key starts with the folded value: a capital letter there is a link from before text sorts were folded.
    await request(t.app)
      .get(`/?sort=storeCode&after=${cursor(['GB-1', '2026-05-01', 'a', 'u'])}`)
      .expect(400);
    await request(t.app)
      .get(`/?sort=storeCode&after=${cursor(['gb-1', '2026-05-01', 'a', 'u'])}`)
      .expect(200);
  });

  test('a page too deep to reach directly is a 400 that says what to do, never a 5xx', async () => {
    const t = await makeTestApp({ maxWalk: 0 });
    await seed(t, 1500);
    const res = await request(t.app).get('/?sort=userId&from=2000-01-01&page=3&size=5').expect(400);
    expect(res.text).toContain('Use the Next and Previous links');
    const api = await request(t.app).get('/api/orders?sort=userId&from=2000-01-01&page=3&size=5').expect(400);
    expect(api.body.errors.page).toMatch(/^Query parameter "page": page 3 /);
  });

  test.each([
    ['/?page=abc', 'Query parameter "page" must be a whole number'],
    ['/?page=0', 'Query parameter "page" must be a whole number'],
    ['/?size=101', 'Query parameter "size" must be a whole number from 1 to 100'],
    ['/?sort=cardNumber', 'Query parameter "sort" must be one of'],
    ['/?from=2024-02-30', 'Filter "from" must be a real date'],
    ['/?page=1&page=2', 'must be given once'],
  ])('%s is a 400 with a clear message', async (url, message) => {
    const t = await makeTestApp();
    const res = await request(t.app).get(url).expect(400);
    expect(res.text).toContain(message.replace(/"/g, '&quot;'));
  });

  test('a page past the end shows the last page', async () => {
    const t = await makeTestApp();
    await seed(t, 30);
    const res = await request(t.app).get('/?page=999999').expect(200);
    expect(res.text).toContain('Page 2 of 2');
  });

  test('the list, the JSON API and the CSV export keep orders whose code starts with the text typed, in any case, % literal', async () => {
    const t = await makeTestApp();
    for (const o of prefixOrders()) await t.store.insert(o);
    const codes = (text: string): string[] => [...new Set([...text.matchAll(/data-label="Store Code">([^<]*)</g)].map((m) => m[1]!))].sort();
    const page = await request(t.app).get('/?storeCode=gb-88').expect(200);
    expect(codes(page.text)).toEqual(['GB-88%', 'GB-8847179F', 'GB-8847179F-2', 'Gb-88_%x', 'gb-8847000a']);
    // The field keeps what was typed, and its hint says how it matches.
    expect(page.text).toContain('<small id="f-store-hint" class="hint">Starts with, any case</small>');
    expect(page.text).toContain('name="storeCode" value="gb-88" maxlength="64" aria-describedby="f-store-hint"');
    expect(codes((await request(t.app).get('/?storeCode=GB-88%25').expect(200)).text)).toEqual(['GB-88%']);
    const api = await request(t.app).get('/api/orders?storeCode=gB-88_&sort=storeCode').expect(200);
    expect(api.body.items.map((o: { storeCode: string }) => o.storeCode)).toEqual(['Gb-88_%x', 'Gb-88_%x']);
    expect(api.body).toMatchObject({ totalItems: 2, totalExact: true, filter: { storeCode: 'gB-88_' } });
    const csv = await request(t.app).get('/orders.csv?userId=BOB').expect(200);
    const users = csv.text
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[1]);
    expect([...new Set(users)].sort()).toEqual(['"BOB-2"', '"Bob"', '"bob"', '"bobby"']);
  });

  test('a text filter too long or with a control character is a 400 naming it', async () => {
    const t = await makeTestApp();
    const long = await request(t.app)
      .get(`/api/orders?productCode=${'x'.repeat(65)}`)
      .expect(400);
    expect(long.body.errors).toEqual({ productCode: 'Filter "productCode" must be at most 64 characters without control characters.' });
    const control = await request(t.app).get('/?userId=a%07b').expect(400);
    expect(control.text).toContain('Filter &quot;userId&quot; must be at most 64 characters without control characters.');
  });

  test('filters by user, store, product and date range', async () => {
    const t = await makeTestApp();
    await t.store.insert(validOrder({ userId: 'alice', orderDate: '2026-01-05', shippingDate: '2026-01-06' }));
    await t.store.insert(
      validOrder({
        dateUuid: '3f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90',
        userId: 'bob',
        storeCode: 'S2',
        orderDate: '2026-02-05',
        shippingDate: '2026-02-06',
      }),
    );
    const byUser = await request(t.app).get('/?userId=alice').expect(200);
    expect(byUser.text).toContain('<span class="short-id mono">alice</span>');
    expect(byUser.text).not.toContain('<span class="short-id mono">bob</span>');
    const byRange = await request(t.app).get('/?from=2026-02-01&to=2026-02-28&storeCode=S2').expect(200);
    expect(byRange.text).toContain('<span class="short-id mono">bob</span>');
    expect(byRange.text).not.toContain('<span class="short-id mono">alice</span>');
  });

  test('shows a friendly empty state', async () => {
    const t = await makeTestApp();
    expect((await request(t.app).get('/').expect(200)).text).toContain('No orders yet');
    expect((await request(t.app).get('/?userId=nobody').expect(200)).text).toContain('No orders match these filters');
  });

  test('an unknown page is a friendly 404: a heading, what happened and a link back, no error list', async () => {
    const t = await makeTestApp();
    const res = await request(t.app).get('/no/such<page>').expect(404).expect('Content-Type', /html/);
    expect(res.text).toContain('<title>Page not found · Orders</title>');
    expect(res.text).toContain('<h1>Page not found</h1>');
    expect(res.text).toContain('There is no page at <code>/no/such%3Cpage%3E</code>.');
    expect(res.text).toContain('<a href="/">Go to the order list</a>');
    expect(res.text).not.toContain('<ul');
    expect(res.text).not.toContain('class="errors"');
  });

  test('every page names a favicon that exists (so browsers do not ask for /favicon.ico, which the ingress does not route)', async () => {
    const t = await makeTestApp();
    for (const path of ['/', '/orders/new', '/nothing'])
      expect((await request(t.app).get(path)).text).toContain('<link rel="icon" href="/static/favicon.svg"');
    await request(t.app)
      .get('/static/favicon.svg')
      .expect(200)
      .expect('Content-Type', /image\/svg\+xml/);
  });

  test('sends a strict Content-Security-Policy and no inline script', async () => {
    const t = await makeTestApp();
    const res = await request(t.app).get('/orders/new').expect(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('add order form', () => {
  test('prefills a fresh UUID, has every field required, ISO date fields and a CSRF token', async () => {
    const t = await makeTestApp();
    const a = await openForm(t);
    const b = await openForm(t);
    const uuid = (page: string): string => /name="date_uuid" type="text" value="([^"]+)"/.exec(page)![1]!;
    expect(uuid(a.page)).toMatch(/^[0-9a-f-]{36}$/);
    expect(uuid(a.page)).not.toBe(uuid(b.page));
    expect(a.page.match(/ required /g)).toHaveLength(8);
    expect(a.page).not.toContain('type="date"');
    expect(a.page.match(/pattern="\\d\{4\}-\\d\{2\}-\\d\{2\}"/g)).toHaveLength(2);
    expect(a.page).toContain('Year-month-day, for example 2026-06-16; not in the future.');
    expect(a.page).not.toContain('aria-invalid');
    expect(a.page).not.toContain('error-summary');
    expect(a.token).toHaveLength(43);
    expect(a.cookie).toMatch(/^order_csrf=/);
  });

  test.each(['/orders', '/add_order'])('POST %s stores the order and redirects (303) to the list with a confirmation', async (path) => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    const res = await request(t.app)
      .post(path)
      .set('Cookie', cookie)
      .type('form')
      .send({ ...form(), _csrf: token })
      .expect(303);
    expect(res.headers.location).toBe('/?created=2f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90&user=shop-user-7');
    const list = await request(t.app).get(res.headers.location!).expect(200);
    expect(list.text).toContain('was added');
    expect(list.text).toContain('class="highlight"');
    expect(await t.store.get('2f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90', 'shop-user-7')).toMatchObject({
      cardNumber: '4111111111111111',
      productQuantity: 3,
    });
  });

  test('a validation error re-renders the form (422) with a message per field and the values kept, except the card', async () => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    const res = await request(t.app)
      .post('/orders')
      .set('Cookie', cookie)
      .type('form')
      .send({ ...form({ product_quantity: '0', order_date: '2030-01-01', user_id: 'kept-user' }), _csrf: token })
      .expect(422);
    expect(res.text).toContain('Product Quantity must be a whole number from 1 to 10,000.');
    expect(res.text).toContain('Order Date must not be in the future.');
    expect(res.text).toContain('value="kept-user"');
    expect(res.text).not.toContain('4111');
    expect(res.text).toContain('please re-enter it');
    expect(res.text).toContain('<title>Error: Add New Order · Orders</title>');
    // GOV.UK error pattern: a summary at the top linking to each field in error, in the form's order.
    const summary = /<div class="error-summary" id="error-summary" role="alert" tabindex="-1"[\s\S]*?<\/div>/.exec(res.text)![0];
    expect([...summary.matchAll(/<a href="(#[^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]])).toEqual([
      ['#f-product_quantity', 'Product Quantity must be a whole number from 1 to 10,000.'],
      ['#f-order_date', 'Order Date must not be in the future.'],
    ]);
    expect(res.text.indexOf('error-summary')).toBeLessThan(res.text.indexOf('<form id="order-form"'));
    for (const name of ['product_quantity', 'order_date']) {
      expect(res.text).toMatch(
        new RegExp(`<input id="f-${name}" name="${name}"[^>]* aria-describedby="f-${name}-hint f-${name}-error" aria-invalid="true"`),
      );
      expect(res.text).toContain(`<p id="f-${name}-error" class="field-error">`);
    }
    expect(res.text).toMatch(/<input id="f-user_id" name="user_id" type="text" value="kept-user" required maxlength/);
    expect(await t.store.page({ filter: {}, sort: { field: 'orderDate', direction: 'desc' }, skip: 0, limit: 5 })).toEqual([]);
  });

  test('a duplicate Date UUID and User ID is a 409 and nothing is overwritten', async () => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    await request(t.app)
      .post('/orders')
      .set('Cookie', cookie)
      .type('form')
      .send({ ...form(), _csrf: token })
      .expect(303);
    const res = await request(t.app)
      .post('/orders')
      .set('Cookie', cookie)
      .type('form')
      .send({ ...form({ product_quantity: '9' }), _csrf: token })
      .expect(409);
    expect(res.text).toContain('already exists; nothing was changed');
    expect((await t.store.get('2f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90', 'shop-user-7'))!.productQuantity).toBe(3);
  });

  test.each([
    ['no token', (c: string, _t: string) => ({ cookie: c, body: form() })],
    ['a wrong token', (c: string) => ({ cookie: c, body: { ...form(), _csrf: 'x'.repeat(43) } })],
    ['no cookie', (_c: string, t: string) => ({ cookie: '', body: { ...form(), _csrf: t } })],
    // Of another length, timingSafeEqual would throw (a 500) if the lengths were not compared first.
    ['a token one character longer than the cookie', (c: string, t: string) => ({ cookie: c, body: { ...form(), _csrf: `${t}x` } })],
    ['a token one character shorter than the cookie', (c: string, t: string) => ({ cookie: c, body: { ...form(), _csrf: t.slice(1) } })],
  ])('a form with %s is refused (403) and nothing is stored', async (_name, make) => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    const { cookie: c, body } = make(cookie, token);
    const req = request(t.app).post('/orders').type('form');
    if (c) req.set('Cookie', c);
    const res = await req.send(body).expect(403);
    expect(res.text).toContain('<h1>Form expired</h1>');
    expect(res.text).toContain('This form has expired or was not sent from this site. Please reload the form and submit it again.');
    expect(await t.store.get('2f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90', 'shop-user-7')).toBeUndefined();
  });

  test('a form sent from this site is accepted: Sec-Fetch-Site same-origin or none, an Origin naming this host, or neither', async () => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    const post = (userId: string, headers: Record<string, string>) =>
      request(t.app)
        .post('/orders')
        .set({ Cookie: cookie, ...headers })
        .type('form')
        .send({ ...form({ user_id: userId }), _csrf: token });
    await post('same-origin', { 'Sec-Fetch-Site': 'same-origin' }).expect(303);
    await post('none', { 'Sec-Fetch-Site': 'none' }).expect(303);
    await post('origin', { Host: 'orders.example.com', Origin: 'https://orders.example.com' }).expect(303);
    await post('neither', {}).expect(303);
    for (const userId of ['same-origin', 'none', 'origin', 'neither'])
      expect(await t.store.get('2f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90', userId)).toMatchObject({ userId });
  });

  test.each([
    ['Sec-Fetch-Site cross-site', { 'Sec-Fetch-Site': 'cross-site' }, 'Cross-site requests cannot change orders.'],
    ['Sec-Fetch-Site same-site', { 'Sec-Fetch-Site': 'same-site' }, 'Cross-site requests cannot change orders.'],
    ['an Origin of another site', { Origin: 'https://evil.example' }, 'Cross-origin requests cannot change orders.'],
    ['an Origin of this host on another port', { Host: 'orders.example.com', Origin: 'https://orders.example.com:8443' }, 'Cross-origin requests'],
    ['an Origin that is not a URL', { Host: 'orders.example.com', Origin: 'orders.example.com' }, 'Cross-origin requests cannot change orders.'],
    ['the opaque Origin "null"', { Origin: 'null' }, 'Requests from an opaque origin cannot change orders.'],
  ])('a submission with %s is refused (403 Forbidden) even with a valid token', async (_name, headers, message) => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    const res = await request(t.app)
      .post('/orders')
      .set({ Cookie: cookie, ...headers })
      .type('form')
      .send({ ...form(), _csrf: token })
      .expect(403);
    expect(res.text).toContain('<h1>Forbidden</h1>');
    expect(res.text).toContain(message);
    expect(await t.store.get('2f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90', 'shop-user-7')).toBeUndefined();
  });

  test('the CSRF cookie is set for the whole site, HttpOnly and SameSite=Strict', async () => {
    const t = await makeTestApp();
    const res = await request(t.app).get('/orders/new').expect(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(res.text)![1]!;
    expect(res.headers['set-cookie']).toEqual([`order_csrf=${token}; Path=/; HttpOnly; SameSite=Strict`]);
  });

  test('a valid CSRF cookie is reused: the form carries it and no new cookie is set', async () => {
    const t = await makeTestApp();
    const existing = 'A'.repeat(21) + '-_' + '9'.repeat(20);
    const res = await request(t.app).get('/orders/new').set('Cookie', `order_csrf=${existing}`).expect(200);
    expect(res.text).toContain(`name="_csrf" value="${existing}"`);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test.each([
    ['too short', 'A'.repeat(42)],
    ['a token with a character after it', `${'A'.repeat(43)}!`],
    ['a token with a character before it', `!${'A'.repeat(43)}`],
  ])('a CSRF cookie that is %s is replaced by a new token', async (_name, existing) => {
    const t = await makeTestApp();
    const res = await request(t.app)
      .get('/orders/new')
      .set('Cookie', `order_csrf=${encodeURIComponent(existing)}`)
      .expect(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(res.text)![1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers['set-cookie']).toEqual([expect.stringMatching(new RegExp(`^order_csrf=${token};`))]);
  });

  test('the CSRF cookie is found among other cookies, with spaces around it, and not in a nameless cookie that starts with its name', async () => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    await request(t.app)
      .post('/orders')
      .set('Cookie', `theme=dark; order_csrfX; order_csrf = ${cookie.split('=')[1]!} ; lang=en`)
      .type('form')
      .send({ ...form(), _csrf: token })
      .expect(303);
  });

  test('the first CSRF cookie of the header counts: a malformed one is not skipped for a later one', async () => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    const res = await request(t.app)
      .post('/orders')
      .set('Cookie', `order_csrf=%E0%A4%A; ${cookie}`)
      .type('form')
      .send({ ...form(), _csrf: token })
      .expect(403);
    expect(res.text).toContain('<h1>Form expired</h1>');
  });

  test('the token check refuses a request whose body was never parsed (403), without throwing', () => {
    const next = jest.fn();
    verifyCsrfToken({ headers: {}, body: undefined } as Request, {} as Response, next);
    expect(next).toHaveBeenCalledWith(expect.objectContaining({ status: 403, title: 'Form expired' }));
  });

  test('text that looks like HTML or SQL is stored as typed and rendered escaped', async () => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    const evil = form({
      user_id: "'; DROP TABLE orders;--",
      store_code: '<script>alert(1)</script>',
      product_code: '"><img src=x onerror=alert(1)>',
    });
    await request(t.app)
      .post('/orders')
      .set('Cookie', cookie)
      .type('form')
      .send({ ...evil, _csrf: token })
      .expect(303);
    const stored = await t.store.get('2f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90', "'; DROP TABLE orders;--");
    expect(stored).toMatchObject({ storeCode: '<script>alert(1)</script>', productCode: '"><img src=x onerror=alert(1)>' });
    const page = (await request(t.app).get('/').expect(200)).text;
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&#39;; DROP TABLE orders;--');
  });

  test.each([
    ['broken UTF-8', 'application/x-www-form-urlencoded', 'user_id=%C3%28&date_uuid=x', 400, 'not valid UTF-8'],
    ['a malformed escape', 'application/x-www-form-urlencoded', 'user_id=%G1', 400, 'malformed percent-escape'],
    ['a repeated field', 'application/x-www-form-urlencoded', 'user_id=a&user_id=b', 400, 'more than once'],
    ['JSON to the form route', 'application/json', '{}', 415, 'must be application/x-www-form-urlencoded'],
    ['a non-UTF-8 charset', 'application/x-www-form-urlencoded; charset=latin1', 'user_id=a', 415, 'must be UTF-8'],
  ])('a form body with %s is refused with a clear message and nothing is stored', async (_name, type, body, status, message) => {
    const t = await makeTestApp();
    const { cookie } = await openForm(t);
    const res = await request(t.app).post('/orders').set('Cookie', cookie).set('Content-Type', type).send(body).expect(Number(status));
    expect(res.text).toContain(String(message));
    expect(res.text).not.toMatch(/at \w+ \(/); // no stack trace
    expect(await t.store.page({ filter: {}, sort: { field: 'orderDate', direction: 'desc' }, skip: 0, limit: 1 })).toEqual([]);
  });

  test('a body over 100 kB is a 413', async () => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    const res = await request(t.app)
      .post('/orders')
      .set('Cookie', cookie)
      .type('form')
      .send({ ...form({ user_id: 'x'.repeat(110_000) }), _csrf: token })
      .expect(413);
    expect(res.text).toContain('larger than 100 kB');
  });

  test('unknown form fields are reported', async () => {
    const t = await makeTestApp();
    const { cookie, token } = await openForm(t);
    const res = await request(t.app)
      .post('/orders')
      .set('Cookie', cookie)
      .type('form')
      .send({ ...form(), _csrf: token, role: 'admin' })
      .expect(422);
    expect(res.text).toContain('Unknown form field: role.');
  });

  test('writes are rate limited per client', async () => {
    const t = await makeTestApp({ writeRateLimitPerMinute: 2 });
    const { cookie, token } = await openForm(t);
    for (const id of ['a', 'b'])
      await request(t.app)
        .post('/orders')
        .set('Cookie', cookie)
        .type('form')
        .send({ ...form({ user_id: id }), _csrf: token })
        .expect(303);
    const res = await request(t.app)
      .post('/orders')
      .set('Cookie', cookie)
      .type('form')
      .send({ ...form({ user_id: 'c' }), _csrf: token })
      .expect(429);
    expect(res.headers['retry-after']).toBe('60');
    expect(await t.store.get('2f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90', 'c')).toBeUndefined();
  });
});

describe('CSV export', () => {
  test('streams the filtered list with masked card numbers and defused formulas', async () => {
    const t = await makeTestApp();
    await t.store.insert(validOrder({ userId: '=HYPERLINK("http://x")', storeCode: 'S,1' }));
    await t.store.insert(validOrder({ dateUuid: '3f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90', userId: 'other', storeCode: 'S2' }));
    const res = await request(t.app)
      .get('/orders.csv?storeCode=S%2C1')
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('"Date UUID","User ID","Card Number","Store Code","Product Code","Product Quantity","Order Date","Shipping Date"');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      `"1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed","'=HYPERLINK(""http://x"")","**** **** **** 1111","S,1","R7-3126933h","2","2026-06-01","2026-06-03"`,
    );
    expect(res.text).not.toContain('4111111111111111');
    expect(res.headers['content-disposition']).toBe('attachment; filename="orders-filtered.csv"');
  });

  test("exports every order, more than one batch, each row its fields with the card masked, in the list's order", async () => {
    const t = await makeTestApp();
    const orders = [...demoOrders(2500, { seed: 11, today: NOW })];
    await t.store.bulkLoad(orders);
    const res = await request(t.app).get('/orders.csv').expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="orders.csv"');
    const [header, ...rows] = res.text.split('\r\n');
    expect(header).toBe('"Date UUID","User ID","Card Number","Store Code","Product Code","Product Quantity","Order Date","Shipping Date"');
    expect(rows.pop()).toBe('');
    const row = (o: Order): string =>
      [o.dateUuid, o.userId, `**** **** **** ${o.cardNumber.slice(-4)}`, o.storeCode, o.productCode, o.productQuantity, o.orderDate, o.shippingDate]
        .map((v) => `"${v}"`)
        .join(',');
    expect([...rows].sort()).toEqual(orders.map(row).sort());
    const firstPage = (await request(t.app).get('/api/orders?size=100').expect(200)).body.items as Order[];
    expect(rows.slice(0, 100).map((r) => r.slice(1, 37))).toEqual(firstPage.map((o) => o.dateUuid));
  });

  test.each([
    ['=1+2', `"'=1+2"`],
    ['+1', `"'+1"`],
    ['-1', `"'-1"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tx', `"'\tx"`],
    ['\rx', `"'\rx"`],
    ['"x"', `"'""x"""`],
    ['a,=1', `"a,'=1"`],
    ['a;+1', `"a;'+1"`],
    ['a\t-1', `"a\t'-1"`],
    ['a\n@x', `"a\n'@x"`],
    ['a\r=1', `"a\r'=1"`],
    ['a,"b"', `"a,'""b"""`],
    ['a,=1;=2', `"a,'=1;'=2"`],
    ['a=1', '"a=1"'],
    ['a,b; c', '"a,b; c"'],
    ['a-1 @x', '"a-1 @x"'],
    ['', '""'],
  ])('the text %j is written as the field %s: quoted, quotes doubled, no cell starting a formula', (text, field) => {
    expect(csvField(text)).toBe(field);
  });

  test('numbers are written as they are, a negative one too', () => {
    expect(csvField(2)).toBe('"2"');
    expect(csvField(-5)).toBe('"-5"');
  });
});

describe('reading a form body', () => {
  test.each([
    ['', {}],
    ['a=1&b=2', { a: '1', b: '2' }],
    ['a=1&&b=2&', { a: '1', b: '2' }],
    ['flag&a=', { flag: '', a: '' }],
    ['a=b=c', { a: 'b=c' }],
    ['q=a+b%2Bc', { q: 'a b+c' }],
    ['k%20e+y=%41%e2%82%ac', { 'k e y': 'A€' }],
    ['name=José', { name: 'José' }],
    ['__proto__=1&constructor=2', { ['__proto__']: '1', constructor: '2' }],
  ])('%j is read as %j', (body, fields) => {
    expect({ ...parseUrlEncoded(body) }).toEqual(fields);
  });

  test.each([
    ['a=%4', 'The form data has a malformed percent-escape.'],
    ['a=%zz1', 'The form data has a malformed percent-escape.'],
    ['%=1', 'The form data has a malformed percent-escape.'],
    ['a=%C3%28', 'The form data is not valid UTF-8.'],
    ['a=%FF', 'The form data is not valid UTF-8.'],
    ['a=1&a=2', 'Form field "a" was sent more than once.'],
    ['__proto__=1&__proto__=2', 'Form field "__proto__" was sent more than once.'],
    [`${'k'.repeat(50)}=1&${'k'.repeat(50)}=2`, `Form field "${'k'.repeat(40)}" was sent more than once.`],
  ])('%j is a 400: %s', (body, message) => {
    expect(() => parseUrlEncoded(body)).toThrow(message);
    expect(() => parseUrlEncoded(body)).toThrow(expect.objectContaining({ status: 400, title: 'Bad request', detail: message }));
  });
});

describe('streaming the CSV export', () => {
  class FakeResponse extends EventEmitter {
    destroyed = false;
    full = false;
    readonly writes: string[] = [];
    ended: string | undefined;
    write(chunk: string): boolean {
      this.writes.push(chunk);
      return !this.full;
    }
    end(chunk: string): this {
      this.ended = chunk;
      return this;
    }
  }
  // 128 bytes a row: 512 rows fill 64 KiB exactly.
  const orders = Array.from({ length: 1200 }, (_, i) =>
    validOrder({ userId: 'user', dateUuid: `1b9d6bcd-bbfd-4b2d-9b5d-${String(i).padStart(12, '0')}` }),
  );
  function rows(): { rows: AsyncIterable<Order>; pulled: () => number } {
    let pulled = 0;
    return {
      rows: (async function* () {
        for (const o of orders) {
          pulled++;
          yield o;
        }
      })(),
      pulled: () => pulled,
    };
  }
  const stream = (res: FakeResponse, from: AsyncIterable<Order>) => streamCsv(res as unknown as Response, from);
  const settled = async (p: Promise<void>) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);

  test('writes the header, then chunks of just over 64 KiB, then the rest at the end', async () => {
    const res = new FakeResponse();
    expect(csvRow(orders[0]!)).toHaveLength(128);
    await stream(res, rows().rows);
    expect(res.writes.map((w) => w.length)).toEqual([csvHeader().length, 513 * 128, 513 * 128]);
    expect(res.ended).toHaveLength(174 * 128);
    expect(res.writes.join('') + res.ended).toBe(csvHeader() + orders.map(csvRow).join(''));
  });

  test('waits for the client to take a full buffer before reading on, and stops listening once it has', async () => {
    const res = new FakeResponse();
    res.full = true;
    const source = rows();
    const done = stream(res, source.rows);
    await new Promise((r) => setImmediate(r));
    expect(source.pulled()).toBe(513);
    res.full = false;
    res.emit('drain');
    expect(await settled(done)).toBe(true);
    expect(source.pulled()).toBe(1200);
    expect([res.listenerCount('drain'), res.listenerCount('close')]).toEqual([0, 0]);
  });

  test('a client that goes away while the export waits ends it: no more rows are read and nothing more is written', async () => {
    const res = new FakeResponse();
    res.full = true;
    const source = rows();
    const done = stream(res, source.rows);
    await new Promise((r) => setImmediate(r));
    res.destroyed = true;
    res.emit('close');
    expect(await settled(done)).toBe(true);
    expect(source.pulled()).toBe(514);
    expect(res.writes).toHaveLength(2);
    expect(res.ended).toBeUndefined();
    expect([res.listenerCount('drain'), res.listenerCount('close')]).toEqual([0, 0]);
  });
});
