import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Order } from '../src/domain/order';
import type { OrderStore } from '../src/store/order-store';
import { MssqlOrderStore } from '../src/store/mssql-order-store';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { RedactingSpanProcessor, redactAttribute } from '../src/tracing/redacting-span-processor';
import { TracedOrderStore } from '../src/tracing/traced-order-store';
import { contractOrders, orderStoreContract } from './order-store.contract';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new RedactingSpanProcessor(), new SimpleSpanProcessor(exporter)] }));
beforeEach(() => exporter.reset());

const CARD = '4242424242424242';
const tracer = trace.getTracer('test');

test('a URL attribute keeps its scheme, host and port; card-like digits in its path and query are redacted', () => {
  expect(redactAttribute('url.full', `https://192.168.100.200:65535/orders/${CARD}?userId=4242%204242%204242%204242&page=2`)).toBe(
    'https://192.168.100.200:65535/orders/[redacted-digits]?userId=[redacted-digits]&page=2',
  );
  expect(redactAttribute('http.target', `/?userId=${CARD}`)).toBe('/?userId=[redacted-digits]');
  expect(redactAttribute('url.query', `userId=${CARD}&code=abc`)).toBe('userId=[redacted-digits]&code=[redacted]');
});

test('addresses keep their digits, however many; other text is redacted like a log line', () => {
  expect(redactAttribute('http.host', '192.168.100.200:65535')).toBe('192.168.100.200:65535');
  expect(redactAttribute('server.address', '192.168.100.200')).toBe('192.168.100.200');
  expect(redactAttribute('db.statement', `SELECT * FROM orders WHERE card_number = '${CARD}'`)).toBe(
    "SELECT * FROM orders WHERE card_number = '[redacted-digits]'",
  );
});

test('a span leaves with its name, status message, attributes, arrays and exception events redacted', () => {
  const span = tracer.startSpan(`lookup ${CARD}`, { attributes: { 'http.url': `http://localhost/x?card=${CARD}`, count: 4242424242424242 } });
  span.setAttribute('app.cards', [CARD, 'none']);
  span.recordException({ name: 'Error', message: `card ${CARD} refused` });
  span.setStatus({ code: SpanStatusCode.ERROR, message: `card ${CARD} refused` });
  span.end();
  const [done] = exporter.getFinishedSpans();
  expect(done!.name).toBe('lookup [redacted-digits]');
  expect(done!.status.message).toBe('card [redacted-digits] refused');
  expect(done!.attributes).toEqual({
    'http.url': 'http://localhost/x?card=[redacted-digits]',
    count: 4242424242424242,
    'app.cards': ['[redacted-digits]', 'none'],
  });
  expect(done!.events[0]!.attributes!['exception.message']).toBe('card [redacted-digits] refused');
});

test('each store call is one client span with the db attributes and the method, and nothing of the order', async () => {
  const store = new SqliteOrderStore({ file: ':memory:' });
  await store.migrate();
  const traced = new TracedOrderStore(store, { databaseName: 'orders.db' });
  const order: Order = { ...contractOrders()[0]!, cardNumber: CARD };
  await traced.insert(order);
  await traced.get(order.dateUuid, order.userId);
  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => [s.name, s.kind, s.attributes['code.function']])).toEqual([
    ['INSERT orders', SpanKind.CLIENT, 'insert'],
    ['SELECT orders', SpanKind.CLIENT, 'get'],
  ]);
  expect(spans[0]!.attributes).toEqual({
    'db.system': 'sqlite',
    'db.name': 'orders.db',
    'db.sql.table': 'orders',
    'db.operation': 'INSERT',
    'code.function': 'insert',
  });
  expect(JSON.stringify(spans.map((s) => [s.attributes, s.events]))).not.toContain(CARD.slice(0, 8));
  await traced.close();
});

test('on SQL Server the span names the server, which Application Insights shows as the target with the database', async () => {
  const store = { kind: 'mssql', total: () => Promise.resolve(3) } as unknown as OrderStore;
  await new TracedOrderStore(store, { databaseName: 'orders', serverAddress: 'orders-sql.database.windows.net' }).total();
  expect(exporter.getFinishedSpans()[0]!.attributes).toMatchObject({
    'db.system': 'mssql',
    'db.name': 'orders',
    'net.peer.name': 'orders-sql.database.windows.net',
  });
});

test('a failed store call is an error span with the error type and a redacted message, and the error still reaches the caller', async () => {
  const failing = { kind: 'mssql', get: () => Promise.reject(new Error(`duplicate key (${CARD})`)) } as unknown as OrderStore;
  await expect(new TracedOrderStore(failing).get('a', 'b')).rejects.toThrow(`duplicate key (${CARD})`);
  const [span] = exporter.getFinishedSpans();
  expect(span!.attributes['db.system']).toBe('mssql');
  expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'duplicate key ([redacted-digits])' });
  expect(span!.events.map((e) => e.attributes)).toEqual([{ 'exception.type': 'Error', 'exception.message': 'duplicate key ([redacted-digits])' }]);
});

test('a SQL Server store says which server and database it connects to, from a connection string or from settings (Key Vault)', async () => {
  const fromString = new MssqlOrderStore({ connection: 'Server=tcp:orders-sql.database.windows.net,1433;Database=orders;Encrypt=true' });
  const fromSettings = new MssqlOrderStore({ connection: { server: 'orders-sql.database.windows.net', database: 'orders', options: {} } });
  for (const store of [fromString, fromSettings]) {
    expect(store.location).toEqual({ server: 'orders-sql.database.windows.net', database: 'orders' });
    await store.close();
  }
});

// The decorator changes nothing a store does: the whole contract again, through it.
orderStoreContract('SQLite, traced', async () => {
  const store = new SqliteOrderStore({ file: ':memory:', bucketRows: 2 });
  await store.migrate();
  return new TracedOrderStore(store);
});
