import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { makeTestApp, validOrder } from './helpers';

const body = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...validOrder(),
  cardNumber: '4111-1111-1111-1111',
  ...overrides,
});

describe('JSON API', () => {
  test('POST /api/orders creates an order (201) that is then readable and listed, card masked', async () => {
    const t = await makeTestApp();
    const res = await request(t.app).post('/api/orders').send(body()).expect(201);
    expect(res.headers.location).toBe('/api/orders/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/user-1');
    expect(res.body.cardNumber).toBe('**** **** **** 1111');
    const one = await request(t.app).get(res.headers.location!).expect(200);
    expect(one.body).toEqual({ ...validOrder(), cardNumber: '**** **** **** 1111' });
    const list = await request(t.app).get('/api/orders?userId=user-1').expect(200);
    expect(list.body).toMatchObject({ page: 1, size: 25, totalItems: 1, totalPages: 1 });
    expect(list.body.items[0].dateUuid).toBe('1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed');
    expect(JSON.stringify(list.body)).not.toContain('4111111111111111');
  });

  test('validation errors are 422 problem+json with a message per field; nothing is stored', async () => {
    const t = await makeTestApp();
    const res = await request(t.app)
      .post('/api/orders')
      .send(body({ cardNumber: '1234', productQuantity: 0, extra: 1 }))
      .expect(422)
      .expect('Content-Type', /application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, title: 'Invalid order' });
    expect(res.body.errors).toEqual({
      body: 'Unknown field: "extra".',
      cardNumber: 'Card Number must have 13 to 19 digits (it has 4).',
      productQuantity: 'Product Quantity must be a whole number from 1 to 10,000.',
    });
    expect((await request(t.app).get('/api/orders').expect(200)).body.totalItems).toBe(0);
  });

  test('a duplicate is a 409 and the original is kept', async () => {
    const t = await makeTestApp();
    await request(t.app).post('/api/orders').send(body()).expect(201);
    const res = await request(t.app)
      .post('/api/orders')
      .send(body({ productQuantity: 5 }))
      .expect(409);
    expect(res.body.detail).toContain('already exists');
    expect((await t.store.get(validOrder().dateUuid, 'user-1'))!.productQuantity).toBe(2);
  });

  test.each([
    ['invalid JSON', 'application/json', '{"dateUuid": ', 400, 'not valid JSON'],
    ['broken UTF-8', 'application/json', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), 400, 'not valid UTF-8'],
    ['a form body', 'application/x-www-form-urlencoded', 'a=1', 415, 'must be application/json'],
    ['a JSON array', 'application/json', '[]', 422, 'must be an object'],
  ])('%s is refused with a problem+json', async (_name, type, payload, status, message) => {
    const t = await makeTestApp();
    const res = await request(t.app)
      .post('/api/orders')
      .set('Content-Type', String(type))
      .serialize((b: unknown) => b as string)
      .send(payload as string)
      .expect(Number(status));
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.stringify(res.body)).toContain(String(message));
  });

  test('a body over 100 kB is a 413 problem', async () => {
    const t = await makeTestApp();
    const res = await request(t.app)
      .post('/api/orders')
      .send(body({ userId: 'x'.repeat(120_000) }))
      .expect(413);
    expect(res.body.detail).toBe('The request body is larger than 100 kB.');
  });

  test('list parameters are validated like the page', async () => {
    const t = await makeTestApp();
    const res = await request(t.app).get('/api/orders?size=0&dir=up').expect(400);
    expect(res.body.errors).toEqual({
      size: 'Query parameter "size" must be a whole number from 1 to 100; got "0".',
      dir: 'Query parameter "dir" must be "asc" or "desc".',
    });
  });

  test('an unknown order is a 404 problem, an unknown path too', async () => {
    const t = await makeTestApp();
    expect((await request(t.app).get('/api/orders/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/nobody').expect(404)).body.title).toBe('Not found');
    expect((await request(t.app).get('/api/nothing').expect(404)).headers['content-type']).toMatch(/problem\+json/);
  });
});

describe('operability', () => {
  test('/healthz is always 200; /readyz follows start-up, the database and draining', async () => {
    const t = await makeTestApp();
    await request(t.app).get('/healthz').expect(200, { status: 'ok' });
    await request(t.app).get('/readyz').expect(200);
    t.readiness.markDraining();
    expect((await request(t.app).get('/readyz').expect(503)).body.reason).toBe('draining');
    await request(t.app).get('/healthz').expect(200);
  });

  test('/readyz is 503 while the database is down and recovers by itself', async () => {
    const t = await makeTestApp();
    let down = true;
    const original = t.store.ping.bind(t.store);
    t.store.ping = async () => {
      if (down) throw new Error('database down');
      return original();
    };
    expect((await request(t.app).get('/readyz').expect(503)).body.reason).toBe('database unreachable');
    down = false;
    await request(t.app).get('/readyz').expect(200);
  });

  test('a locked database is a 503 with Retry-After, counted in metrics, never a stack trace; nothing half-written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-'));
    const file = path.join(dir, 'orders.db');
    const t = await makeTestApp({ file, busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    const res = await request(t.app).post('/api/orders').send(body()).expect(503);
    other.exec('ROLLBACK');
    other.close();
    expect(res.headers['retry-after']).toBe('5');
    expect(res.text).not.toMatch(/at \w+ \(/);
    const metrics = (await request(t.app).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/db_errors_total\{operation="POST \/api\/orders"\} 1/);
    expect(await t.store.get(validOrder().dateUuid, 'user-1')).toBeUndefined();
    await request(t.app).post('/api/orders').send(body()).expect(201);
    await t.store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('/metrics has request durations by route and status, and orders created', async () => {
    const t = await makeTestApp();
    await request(t.app).post('/api/orders').send(body()).expect(201);
    await request(t.app).get('/api/orders/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed/user-1').expect(200);
    const text = (await request(t.app).get('/metrics').expect(200)).text;
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/api\/orders",status="201"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/orders\/:dateUuid\/:userId",status="200"\} 1/);
    expect(text).toMatch(/orders_created_total 1/);
  });

  test('logs are JSON with request ids and never contain card numbers or cookies', async () => {
    const t = await makeTestApp();
    await request(t.app).post('/api/orders').set('Cookie', 'session=secret-cookie').set('X-Request-Id', 'req-123').send(body()).expect(201);
    await request(t.app).get('/?userId=4111111111111111').set('Cookie', 'session=secret-cookie').expect(200);
    const logs = t.logs.map((l) => JSON.parse(l) as { req?: { id: string; url: string } });
    expect(logs.some((l) => l.req?.id === 'req-123')).toBe(true);
    const all = t.logs.join('\n');
    expect(all).not.toContain('4111111111111111');
    expect(all).not.toContain('4111-1111-1111-1111');
    expect(all).not.toContain('secret-cookie');
    expect(all).toContain('[redacted-digits]');
  });

  test('every response carries a request id', async () => {
    const t = await makeTestApp();
    const res = await request(t.app).get('/healthz');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
