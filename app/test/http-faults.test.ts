import request from 'supertest';
import { findDuplicateJsonKey } from '../src/http/body';
import { makeTestApp, validOrder, type TestApp } from './helpers';

/** Splits CSV text into rows of cells as a quote-aware spreadsheet would (RFC 4180, lenient), with any delimiter. */
function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let atCellStart = true;
  while (i < text.length) {
    const c = text[i]!;
    if (atCellStart && c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) break;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += text[i];
        i++;
      }
      atCellStart = false;
      continue;
    }
    atCellStart = false;
    if (c === delimiter) {
      row.push(cell);
      cell = '';
      atCellStart = true;
    } else if (c === '\r' || c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      atCellStart = true;
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else {
      cell += c;
    }
    i++;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** Splits as a tool that knows nothing of quotes: on line breaks, then on the delimiter. */
const naiveSplit = (text: string, delimiter: string): string[][] => text.split(/\r\n|\r|\n/).map((line) => line.split(delimiter));

const FORMULA_START = /^[=+\-@\t\r]/;

test('the CSV export has no cell that starts a formula, whether split on comma, semicolon or tab', async () => {
  const t = await makeTestApp();
  await t.store.insert(validOrder({ userId: 'a\t=2+2', storeCode: 'x;=1+1', productCode: 'p,@SUM(A1)' }));
  await t.store.insert(
    validOrder({ dateUuid: '3f1c4e8a-5b7d-4c3e-9f1a-6b8d2e4c7a90', userId: '-1+1', storeCode: 'y;"=cmd', productCode: 'q;+3;-4;@5' }),
  );
  await t.store.insert(validOrder({ dateUuid: '5a2b7c9d-1e3f-4a5b-8c7d-9e0f1a2b3c4d', userId: '"=1+1' }));
  const text = (await request(t.app).get('/orders.csv').expect(200)).text;
  // A reader that drops every quote mark, as naive importers do.
  const unquoted = (rows: string[][]): string[][] => rows.map((cells) => cells.map((c) => c.replace(/"/g, '')));
  for (const delimiter of [',', ';', '\t']) {
    for (const cells of [...parseCsv(text, delimiter), ...naiveSplit(text, delimiter), ...unquoted(naiveSplit(text, delimiter))]) {
      for (const cell of cells) expect(cell).not.toMatch(FORMULA_START);
    }
  }
});

test('the CSV export quotes every field and keeps the text readable, card numbers masked', async () => {
  const t = await makeTestApp();
  await t.store.insert(validOrder({ storeCode: 'x;=1+1', userId: '=HYPERLINK("http://x")' }));
  const res = await request(t.app).get('/orders.csv').expect(200);
  const lines = res.text.split('\r\n');
  expect(lines[0]).toBe('"Date UUID","User ID","Card Number","Store Code","Product Code","Product Quantity","Order Date","Shipping Date"');
  expect(lines[1]).toBe(
    `"1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed","'=HYPERLINK(""http://x"")","**** **** **** 1111","x;'=1+1","R7-3126933h","2","2026-06-01","2026-06-03"`,
  );
  expect(lines.slice(2)).toEqual(['']);
  expect(parseCsv(res.text, ',')[1]).toEqual([
    '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
    `'=HYPERLINK("http://x")`,
    '**** **** **** 1111',
    "x;'=1+1",
    'R7-3126933h',
    '2',
    '2026-06-01',
    '2026-06-03',
  ]);
  expect(res.text).not.toContain('4111111111111111');
});

test.each([
  ['the order list', '/', 200],
  ['the order list with a bad parameter', '/?size=0', 400],
  ['the new-order form (it carries a CSRF token)', '/orders/new', 200],
  ['the API list', '/api/orders', 200],
  ['the API list with a bad parameter', '/api/orders?size=0', 400],
  ['an API order', '/api/orders/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/user-1', 200],
  ['an unknown API order', '/api/orders/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/nobody', 404],
  ['the CSV export', '/orders.csv', 200],
  ['the CSV export with a bad parameter', '/orders.csv?size=0', 400],
  ['an unknown page', '/nothing', 404],
])('%s is sent with Cache-Control: no-store', async (_name, path, status) => {
  const t = await makeTestApp();
  await t.store.insert(validOrder());
  const res = await request(t.app).get(path).expect(status);
  expect(res.headers['cache-control']).toBe('no-store');
});

test('a refused order submission is sent with Cache-Control: no-store', async () => {
  const t = await makeTestApp();
  const res = await request(t.app)
    .post('/api/orders')
    .send({ ...validOrder(), cardNumber: '1234' })
    .expect(422);
  expect(res.headers['cache-control']).toBe('no-store');
});

test('static assets keep their one-hour caching', async () => {
  const t = await makeTestApp();
  const res = await request(t.app).get('/static/app.css').expect(200);
  expect(res.headers['cache-control']).toBe('public, max-age=3600');
});

const jsonOrder = (): Record<string, unknown> => ({ ...validOrder(), cardNumber: '4111 1111 1111 1111' });
const postRawJson = (t: TestApp, text: string): request.Test => request(t.app).post('/api/orders').set('Content-Type', 'application/json').send(text);

test('a JSON body with a key twice is a 400 problem naming the key; nothing is stored', async () => {
  const t = await makeTestApp();
  const text = JSON.stringify(jsonOrder()).replace(/^\{/, '{"userId":"mallory",');
  const res = await postRawJson(t, text)
    .expect(400)
    .expect('Content-Type', /problem\+json/);
  expect(res.body.detail).toBe('The JSON body has the key "userId" more than once in the same object (at $.userId).');
  expect((await request(t.app).get('/api/orders').expect(200)).body.totalItems).toBe(0);
});

test('a duplicate key is refused at any depth, also when spelled with escapes', async () => {
  const t = await makeTestApp();
  const nested = JSON.stringify({ ...jsonOrder(), extra: [1, { a: { b: 1 } }] }).replace('{"b":1}', '{"b":1,"\\u0062":2}');
  const res = await postRawJson(t, nested).expect(400);
  expect(res.body.detail).toBe('The JSON body has the key "b" more than once in the same object (at $.extra[1].a.b).');
});

test('the same key in sibling objects is not a duplicate', async () => {
  const t = await makeTestApp();
  const res = await postRawJson(t, JSON.stringify({ ...jsonOrder(), extra: [{ a: 1 }, { a: 2 }] })).expect(422);
  expect(res.body.errors).toEqual({ body: 'Unknown field: "extra".' });
  await postRawJson(t, JSON.stringify(jsonOrder())).expect(201);
});

const CARD = '4539148803436467';
const group = (sizes: number[], separator: string): string => {
  const parts: string[] = [];
  let at = 0;
  for (const n of sizes) {
    parts.push(CARD.slice(at, at + n));
    at += n;
  }
  return parts.join(separator);
};
const loggedUrls = (t: TestApp): string[] =>
  t.logs.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter((u): u is string => u !== undefined);
const digitsOf = (url: string): string => {
  let decoded = url.replace(/\+/g, ' ');
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // As logged.
  }
  return decoded.replace(/\D/g, '');
};

test.each(['+', '%20', '-', '.', '_', '%2B', '+-+', '', ',', '%2C', '/', '%2F', '%E2%80%8B', '++++', '%25', '%2C%20'])(
  'a card number typed into a filter with %j between digit groups never reaches the logs',
  async (separator) => {
    const t = await makeTestApp();
    const urls: string[] = [];
    for (const sizes of [
      [4, 4, 4, 4],
      [4, 6, 6],
      [2, 7, 7],
      [8, 8],
      [1, 15],
      [3, 3, 3, 3, 4],
    ]) {
      const typed = group(sizes, separator);
      urls.push(
        `/?userId=${typed}`,
        `/api/orders?storeCode=x${typed}y`,
        `/orders.csv?productCode=${typed}&from=2020-03-06`,
        `/api/orders/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/${typed}`,
      );
    }
    for (const url of urls) await request(t.app).get(url);
    const logged = loggedUrls(t);
    expect(logged).toHaveLength(urls.length);
    for (const url of logged) expect(digitsOf(url)).not.toContain(CARD.slice(0, 13));
    expect(t.logs.join('\n').replace(/\D/g, '')).not.toContain(CARD);
  },
);

test("the sign-in callback's code and state are never logged, whatever the path's spelling", async () => {
  const t = await makeTestApp();
  for (const path of ['/auth/callback', '/AUTH/Callback/', '/auth/callback/x']) {
    await request(t.app).get(`${path}?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj&session_state=s3ss10n`);
    await request(t.app).get(`${path}?state=af0ifjsldkj&iss=https%3A%2F%2Fissuer&code=SplxlOBeZQQYbYS6WxSbIA`);
  }
  const all = t.logs.join('\n');
  expect(loggedUrls(t)).toHaveLength(6);
  expect(all).not.toContain('SplxlOBeZQQYbYS6WxSbIA');
  expect(all).not.toContain('af0ifjsldkj');
  expect(all).not.toContain('s3ss10n');
  expect(all).toContain('iss=https%3A%2F%2Fissuer');
});

test('dates, UUIDs and product codes in URLs are still logged as they were sent', async () => {
  const t = await makeTestApp();
  const url = '/?from=2020-03-06&to=2020-04-01&userId=1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed&productCode=R7-3126933h&size=10';
  await request(t.app).get(url).expect(200);
  await request(t.app).get('/api/orders/12345678-1234-4234-8234-1234567890ab/user-1').expect(404);
  expect(loggedUrls(t)).toEqual([url, '/api/orders/12345678-1234-4234-8234-1234567890ab/user-1']);
});

const NFC_USER = 'Jos\u00e9';
const NFD_USER = 'Jose\u0301';

test('the same order with its user in NFD and then NFC is a duplicate, and the user is stored in NFC', async () => {
  const t = await makeTestApp();
  await request(t.app)
    .post('/api/orders')
    .send({ ...jsonOrder(), userId: NFD_USER })
    .expect(201);
  const res = await request(t.app)
    .post('/api/orders')
    .send({ ...jsonOrder(), userId: NFC_USER, productQuantity: 9 })
    .expect(409);
  expect(res.body.title).toBe('Duplicate order');
  const list = (await request(t.app).get('/api/orders').expect(200)).body as {
    totalItems: number;
    items: { userId: string; productQuantity: number }[];
  };
  expect(list.totalItems).toBe(1);
  expect(list.items[0]!.userId).toBe(NFC_USER);
  expect(list.items[0]!.productQuantity).toBe(2);
  expect((await t.store.get(validOrder().dateUuid, NFC_USER))!.userId).toBe(NFC_USER);
  expect(await t.store.get(validOrder().dateUuid, NFD_USER)).toBeUndefined();
});

test('store and product codes sent in NFD are stored in NFC', async () => {
  const t = await makeTestApp();
  await request(t.app)
    .post('/api/orders')
    .send({ ...jsonOrder(), storeCode: 'Cafe\u0301', productCode: 'A\u030a-1' })
    .expect(201);
  const stored = (await t.store.get(validOrder().dateUuid, 'user-1'))!;
  expect([stored.storeCode, stored.productCode]).toEqual(['Caf\u00e9', '\u00c5-1']);
});

test('a filter or a lookup in NFD finds the order stored in NFC', async () => {
  const t = await makeTestApp();
  await request(t.app)
    .post('/api/orders')
    .send({ ...jsonOrder(), userId: NFC_USER, storeCode: 'Caf\u00e9' })
    .expect(201);
  expect(
    (
      await request(t.app)
        .get(`/api/orders?userId=${encodeURIComponent(NFD_USER)}`)
        .expect(200)
    ).body.totalItems,
  ).toBe(1);
  expect(
    (
      await request(t.app)
        .get(`/api/orders?storeCode=${encodeURIComponent('Cafe\u0301')}`)
        .expect(200)
    ).body.totalItems,
  ).toBe(1);
  const page = await request(t.app)
    .get(`/?userId=${encodeURIComponent(NFD_USER)}`)
    .expect(200);
  expect(page.text).toContain('1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed');
  await request(t.app)
    .get(`/api/orders/${validOrder().dateUuid}/${encodeURIComponent(NFD_USER)}`)
    .expect(200);
});

test.each([
  ['userId', 'User ID', 'Jo\u200bse'],
  ['userId', 'User ID', 'user\ufeff-1'],
  ['storeCode', 'Store Code', 'WEB\u200d1'],
  ['productCode', 'Product Code', 'R7\u202e-1'],
  ['productCode', 'Product Code', 'R7\u2066-1'],
  ['userId', 'User ID', 'a\u034fb'],
  ['storeCode', 'Store Code', 'WEB\ufe0f1'],
  ['storeCode', 'Store Code', '\u3164WEB'],
  ['productCode', 'Product Code', 'R7\u2800'],
  ['productCode', 'Product Code', 'R7\u2028=1+1'],
])('an invisible formatting character in %s is a 422 naming the field', async (field, label, value) => {
  const t = await makeTestApp();
  const res = await request(t.app)
    .post('/api/orders')
    .send({ ...jsonOrder(), [field]: value })
    .expect(422);
  expect(res.body.errors).toEqual({
    [field]:
      `${label} must not contain invisible formatting characters (such as zero-width spaces, ` +
      `joiners, byte order marks or text direction marks).`,
  });
  expect((await request(t.app).get('/api/orders').expect(200)).body.totalItems).toBe(0);
});

describe('finding a key twice in one object of a JSON text', () => {
  test.each([
    ['{}', undefined],
    ['{"a":1,"b":{"a":1}}', undefined],
    ['[{"a":1},{"a":1}]', undefined],
    ['{"a":"a","b":"a","c":["a","a"]}', undefined],
    ['{"a":1,"a":2}', { key: 'a', path: '$.a' }],
    ['{"x":{"a":1,"a":2}}', { key: 'a', path: '$.x.a' }],
    ['{"x":[1,{"a":1},{"a":1,"a":2}]}', { key: 'a', path: '$.x[2].a' }],
    ['{"a":[1,2],"b":{"c":[{"d":1,"d":1}]}}', { key: 'd', path: '$.b.c[0].d' }],
    ['{"$_1":{"k":1,"k":2}}', { key: 'k', path: '$.$_1.k' }],
    ['{"a b":{"k":1,"k":2}}', { key: 'k', path: '$["a b"].k' }],
    ['{"1a":{"k":1,"k":2}}', { key: 'k', path: '$["1a"].k' }],
    ['{"a\\"b":1,"a\\"b":2}', { key: 'a"b', path: '$["a\\"b"]' }],
    ['{"a\\\\":1,"a\\\\":2}', { key: 'a\\', path: '$["a\\\\"]' }],
    ['{"x":{"y":{}},"z":{"k":1,"k":2}}', { key: 'k', path: '$.z.k' }],
  ])('%s: %j', (text, found) => {
    expect(findDuplicateJsonKey(text)).toEqual(found);
  });
});

test.each([
  ['application/json; charset=utf-8', 201],
  ['application/json; charset="UTF-8"', 201],
  ['application/json;charset=utf8', 201],
])('a JSON body sent as %s is read', async (type, status) => {
  const t = await makeTestApp();
  await request(t.app).post('/api/orders').set('Content-Type', type).send(JSON.stringify(jsonOrder())).expect(status);
});

test.each([
  ['application/json; charset=utf-16', 'The request body must be UTF-8, not utf-16.'],
  ['application/json; charset="ISO-8859-1"; x=1', 'The request body must be UTF-8, not iso-8859-1.'],
  [`text/plain; ${'x'.repeat(80)}`, `The request body must be application/json, not text/plain; ${'x'.repeat(48)}.`],
])('a JSON body sent as %s is a 415 saying what it must be', async (type, detail) => {
  const t = await makeTestApp();
  const res = await request(t.app).post('/api/orders').set('Content-Type', type).send(JSON.stringify(jsonOrder())).expect(415);
  expect(res.body).toMatchObject({ title: 'Unsupported media type', detail });
});

test('a body without a content type is a 415 that names the one expected', async () => {
  const t = await makeTestApp();
  const res = await request(t.app).post('/api/orders').expect(415);
  expect(res.body.detail).toBe('The request body must be application/json.');
});

test('a duplicate key longer than 40 characters is cut in the message, and so is a path longer than 200', async () => {
  const t = await makeTestApp();
  const key = 'k'.repeat(50);
  const deep = `${'{"abcdefghij":'.repeat(20)}{"${key}":1,"${key}":2}${'}'.repeat(20)}`;
  const res = await postRawJson(t, deep).expect(400);
  expect(res.body.detail).toBe(
    `The JSON body has the key "${'k'.repeat(40)}" more than once in the same object (at ${`$${'.abcdefghij'.repeat(20)}.${key}`.slice(0, 200)}).`,
  );
});

test.each([
  [`application/json; charset= Latin1 `, 'The request body must be UTF-8, not latin1.'],
  [`application/json; charset=${'w'.repeat(40)}`, `The request body must be UTF-8, not ${'w'.repeat(30)}.`],
])('a JSON body in another charset (%s) is refused with the charset trimmed and cut to 30 characters', async (type, detail) => {
  const t = await makeTestApp();
  const res = await request(t.app).post('/api/orders').set('Content-Type', type).send(JSON.stringify(jsonOrder())).expect(415);
  expect(res.body).toMatchObject({ title: 'Unsupported media type', detail });
});

test.each([
  ['broken UTF-8', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), 'The JSON body is not valid UTF-8.'],
  ['not JSON', Buffer.from('{"a":'), 'The request body is not valid JSON.'],
])('a JSON body that is %s is a 400 titled Bad request', async (_name, body, detail) => {
  const t = await makeTestApp();
  const res = await request(t.app)
    .post('/api/orders')
    .set('Content-Type', 'application/json')
    .serialize((b: unknown) => b as string)
    .send(body as unknown as string)
    .expect(400);
  expect(res.body).toMatchObject({ title: 'Bad request', detail });
});

test('a duplicate key is a 400 titled Bad request', async () => {
  const t = await makeTestApp();
  const res = await postRawJson(t, '{"a":1,"a":2}').expect(400);
  expect(res.body).toMatchObject({ title: 'Bad request', detail: 'The JSON body has the key "a" more than once in the same object (at $.a).' });
});
