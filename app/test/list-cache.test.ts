import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { demoOrders } from '../src/domain/demo-orders';
import { parseListParams } from '../src/domain/list-params';
import { orderListContent, orderListPage } from '../src/views/order-list-page';
import { SQL_COLUMNS } from '../src/store/sql-columns';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { makeTestApp, NOW, validOrder } from './helpers';

/** The Date UUIDs of the list's rows, in order. */
const rowsOf = (text: string): string[] =>
  [...text.matchAll(/<tr(?: class="highlight")?>\s*<td class="id" data-label="Date UUID"><span class="short-id mono" title="([0-9a-f-]{36})"/g)].map(
    (m) => m[1]!,
  );
const newest = (n: number) =>
  validOrder({ dateUuid: `0a0a0a0a-0000-4000-8000-${String(n).padStart(12, '0')}`, orderDate: '2026-06-14', shippingDate: '2026-06-15' });

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-list-cache-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the order list under writes, with rendered pages reused', () => {
  test('an order added through the API is on page 1 at the very next request', async () => {
    const t = await makeTestApp();
    await t.store.bulkLoad(demoOrders(40, { seed: 5, today: NOW }));
    const before = rowsOf((await request(t.app).get('/').expect(200)).text);
    expect(rowsOf((await request(t.app).get('/').expect(200)).text)).toEqual(before);
    for (let i = 1; i <= 3; i++) {
      await request(t.app).post('/api/orders').send(newest(i)).expect(201);
      const page = (await request(t.app).get('/').expect(200)).text;
      expect(rowsOf(page)[0]).toBe(newest(i).dateUuid);
      expect(page).toContain(`of ${40 + i}</caption>`);
    }
    // Reuse is visible to operators: one reused page, four rendered (the first and one after each write).
    const metrics = (await request(t.app).get('/metrics').expect(200)).text;
    expect(metrics).toContain('list_pages_total{cache="hit"} 1');
    expect(metrics).toContain('list_pages_total{cache="miss"} 4');
  });

  test('an order another replica wrote, and one deleted outside the app, show at the next request', async () => {
    const file = path.join(dir, 'orders.db');
    const t = await makeTestApp({ file });
    await t.store.bulkLoad(demoOrders(30, { seed: 6, today: NOW }));
    await request(t.app).get('/').expect(200);
    const replica = new SqliteOrderStore({ file });
    await replica.migrate();
    await replica.insert(newest(1));
    await replica.close();
    const afterInsert = (await request(t.app).get('/').expect(200)).text;
    expect(rowsOf(afterInsert)[0]).toBe(newest(1).dateUuid);
    expect(afterInsert).toContain('of 31</caption>');
    const outside = new Database(file);
    outside.prepare(`DELETE FROM orders WHERE ${SQL_COLUMNS.dateUuid} = ?`).run(newest(1).dateUuid);
    outside.close();
    const afterDelete = (await request(t.app).get('/').expect(200)).text;
    expect(rowsOf(afterDelete)).not.toContain(newest(1).dateUuid);
    expect(afterDelete).toContain('of 30</caption>');
  });

  test('an edit outside the app that moves no position (a card number) shows within LIST_CACHE_MS, and at once with 0', async () => {
    // Every column but the card number is a sort key, so any other edit moves the token.
    const file = path.join(dir, 'orders.db');
    const t = await makeTestApp({ file, listCacheMs: 1500 });
    await t.store.insert(newest(1));
    const cardCell = (text: string) => /\*\*\*\* \*\*\*\* \*\*\*\* (\d{4})/.exec(text)![1];
    const setCard = (card: string) => {
      const outside = new Database(file);
      outside.prepare(`UPDATE orders SET ${SQL_COLUMNS.cardNumber} = ?`).run(card);
      outside.close();
    };
    expect(cardCell((await request(t.app).get('/').expect(200)).text)).toBe('1111');
    setCard('5555555555554444');
    // The documented bound: the page kept for up to 1.5 s is shown.
    expect(cardCell((await request(t.app).get('/').expect(200)).text)).toBe('1111');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(cardCell((await request(t.app).get('/').expect(200)).text)).toBe('4444');

    const off = await makeTestApp({ file, listCacheMs: 0 });
    expect(cardCell((await request(off.app).get('/').expect(200)).text)).toBe('4444');
    setCard('378282246310005');
    expect(cardCell((await request(off.app).get('/').expect(200)).text)).toBe('0005');
  });

  test('a quantity edited outside the app (a sort key) shows at the next request', async () => {
    const file = path.join(dir, 'orders.db');
    const t = await makeTestApp({ file, listCacheMs: 60_000 });
    await t.store.insert(newest(1));
    const quantityCell = (text: string) => /<td class="num" data-label="Product Quantity">(\d+)<\/td>/.exec(text)![1];
    expect(quantityCell((await request(t.app).get('/').expect(200)).text)).toBe('2');
    const outside = new Database(file);
    outside.prepare(`UPDATE orders SET ${SQL_COLUMNS.productQuantity} = 7`).run();
    outside.close();
    expect(quantityCell((await request(t.app).get('/').expect(200)).text)).toBe('7');
  });

  test('pages differing in any list parameter are never mixed up', async () => {
    const t = await makeTestApp();
    await t.store.bulkLoad(demoOrders(80, { seed: 7, today: NOW }));
    const urls = ['/', '/?page=2', '/?size=10', '/?sort=userId&dir=asc', '/?sort=userId&dir=desc', '/?from=2025-01-01', '/?page=2&size=10'];
    const fresh = await makeTestApp({ listCacheMs: 0 });
    await fresh.store.bulkLoad(demoOrders(80, { seed: 7, today: NOW }));
    for (let round = 0; round < 2; round++)
      for (const url of urls) {
        const reused = (await request(t.app).get(url).expect(200)).text;
        const rendered = (await request(fresh.app).get(url).expect(200)).text;
        expect({ url, rows: rowsOf(reused) }).toEqual({ url, rows: rowsOf(rendered) });
      }
  });

  test('without sign-in a reused page is the whole page, byte for byte what the views render, until the next write', async () => {
    const t = await makeTestApp();
    await t.store.bulkLoad(demoOrders(60, { seed: 8, today: NOW }));
    // The reference: the views called directly on the service's current result.
    const rendered = async (query: string): Promise<string> => {
      const parsed = parseListParams(Object.fromEntries(new URLSearchParams(query)));
      if (!parsed.ok) throw new Error(query);
      const result = await t.service.list(parsed.value);
      return orderListPage({ content: orderListContent({ params: parsed.value, result, canAdd: true }) }).value;
    };
    const same = async (query: string): Promise<string> => {
      const reused = await request(t.app).get(`/?${query}`).expect(200);
      const expected = await rendered(query);
      expect(reused.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(reused.headers['content-length']).toBe(String(Buffer.byteLength(expected)));
      expect({ query, page: reused.text }).toEqual({ query, page: expected });
      return reused.text;
    };
    for (let round = 0; round < 2; round++) for (const query of ['', 'page=2&size=10', 'sort=storeCode&dir=asc']) await same(query);
    await request(t.app).post('/api/orders').send(newest(1)).expect(201);
    expect(rowsOf(await same(''))[0]).toBe(newest(1).dateUuid);
  });
});
