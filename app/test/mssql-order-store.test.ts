import fs from 'node:fs';
import path from 'node:path';
import sql from 'mssql';
import { SORT_FIELDS, TEXT_FILTER_FIELDS, type OrderFilter, type OrderSort } from '../src/domain/order-query';
import { isTransient, migrationBatch, MssqlOrderStore, withRetry } from '../src/store/mssql-order-store';
import { mssqlPositionTriggerSql } from '../src/store/mssql-positions';
import { bucketTable, POSITIONS_META, RETIRED_BUCKET_TABLES } from '../src/store/position-buckets';
import { filterConditions, INDEXES, RETIRED_INDEXES } from '../src/store/sql-columns';
import { mssqlConnectionConfig } from '../src/store/create-order-store';
import { contractOrders, expectedOrder, expectPositions, orderStoreContract, prefixOrders } from './order-store.contract';
import { TcpFaultServer } from './tcp-fault-server';

const connectionString = process.env.MSSQL_TEST_CONNECTION_STRING;

// Runs against a real SQL Server when MSSQL_TEST_CONNECTION_STRING is set (the pipeline's
// service container). No SQL Server can run on the development machines.
/** The pipeline's SQL Server container may still be starting: keep trying for up to two minutes. */
async function connectWhenUp(cs: string, deadlineMs = 120_000): Promise<sql.ConnectionPool> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await new sql.ConnectionPool(cs).connect();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

if (connectionString) {
  beforeAll(async () => {
    await (await connectWhenUp(connectionString)).close();
  }, 130_000);

  orderStoreContract(
    'SQL Server',
    async () => {
      const pool = await connectWhenUp(connectionString);
      await pool.request().batch("IF OBJECT_ID(N'dbo.orders', N'U') IS NOT NULL DROP TABLE dbo.orders");
      await pool.close();
      // Two rows per bucket: every few writes split one.
      const store = new MssqlOrderStore({ connection: connectionString, bucketRows: 2 });
      await store.migrate();
      return store;
    },
    async () => {
      // The fault: the server's address stops answering and open connections are cut (a failover).
      const pool = await connectWhenUp(connectionString);
      await pool.request().batch("IF OBJECT_ID(N'dbo.orders', N'U') IS NOT NULL DROP TABLE dbo.orders");
      await pool.close();
      const [, host = 'localhost', port = '1433'] = /Server=(?:tcp:)?([^;,]+)(?:,(\d+))?/i.exec(connectionString) ?? [];
      const fault = await TcpFaultServer.start('forward', { host, port: Number(port) });
      const viaFault = connectionString.replace(/Server=[^;]+/i, `Server=127.0.0.1,${fault.port}`);
      const store = new MssqlOrderStore({ connection: viaFault, bucketRows: 2, retry: { attempts: 2, baseDelayMs: 50 } });
      await store.migrate();
      return { store, begin: async () => fault.setMode('reset'), end: async () => fault.setMode('forward'), close: () => fault.close() };
    },
  );

  test('the trigger keeps positions exact under statements that change many rows at once, from outside the app', async () => {
    const pool = await connectWhenUp(connectionString);
    await pool.request().batch("IF OBJECT_ID(N'dbo.orders', N'U') IS NOT NULL DROP TABLE dbo.orders");
    const store = new MssqlOrderStore({ connection: connectionString, bucketRows: 2 });
    await store.migrate();
    let orders = contractOrders();
    for (const o of orders.slice(0, 5)) await store.insert(o);
    // One INSERT of 18 rows into the buckets (splits in a loop), a DELETE and a key UPDATE of several rows each.
    const rest = orders.slice(5);
    const insert = pool.request();
    const values = rest.map((o, i) => {
      for (const [k, v] of Object.entries(o)) insert.input(`${k}${i}`, v);
      return (
        `(@dateUuid${i}, @userId${i}, @cardNumber${i}, @storeCode${i}, ` +
        `@productCode${i}, @productQuantity${i}, @orderDate${i}, @shippingDate${i})`
      );
    });
    await insert.query(
      `INSERT INTO dbo.orders (date_uuid, [User ID], [Card Number], [Store Code], product_code, [Product Quantity], [Order Date], [Shipping Date]) ` +
        `VALUES ${values.join(', ')}`,
    );
    await pool.request().query("DELETE FROM dbo.orders WHERE [Store Code] = N'store-1'");
    await pool
      .request()
      .query(
        'UPDATE dbo.orders SET [Order Date] = DATEADD(day, 20, [Order Date]), [Product Quantity] = [Product Quantity] + 10 ' +
          "WHERE [User ID] = N'user-2'",
      );
    await pool.close();
    orders = orders
      .filter((o) => o.storeCode !== 'store-1')
      .map((o) =>
        o.userId === 'user-2'
          ? { ...o, orderDate: `2026-05-${String(Number(o.orderDate.slice(8)) + 20).padStart(2, '0')}`, productQuantity: o.productQuantity + 10 }
          : o,
      );
    await new Promise((resolve) => setImmediate(resolve));
    await expectPositions(store, orders);
    await store.close();
  });

  test('a MERGE that inserts, updates and deletes in one statement moves each row once', async () => {
    const pool = await connectWhenUp(connectionString);
    await pool.request().batch("IF OBJECT_ID(N'dbo.orders', N'U') IS NOT NULL DROP TABLE dbo.orders");
    const store = new MssqlOrderStore({ connection: connectionString, bucketRows: 2 });
    await store.migrate();
    const all = contractOrders();
    const [kept, updated, removed, ...rest] = all;
    for (const o of [kept!, updated!, removed!]) await store.insert(o);
    const added = rest.slice(0, 6);
    const merge = pool.request();
    const source = [updated!, ...added].map((o, i) => {
      for (const [k, v] of Object.entries(o)) merge.input(`${k}${i}`, v);
      return (
        `(@dateUuid${i}, @userId${i}, @cardNumber${i}, @storeCode${i}, ` +
        `@productCode${i}, @productQuantity${i}, @orderDate${i}, @shippingDate${i})`
      );
    });
    await merge.query(
      `MERGE dbo.orders AS t
USING (VALUES ${source.join(', ')}) AS s ` +
        `(date_uuid, [User ID], [Card Number], [Store Code], product_code, [Product Quantity], [Order Date], [Shipping Date])
  ON t.date_uuid = s.date_uuid AND t.[User ID] = s.[User ID]
WHEN MATCHED THEN UPDATE SET [Product Quantity] = s.[Product Quantity] + 100
WHEN NOT MATCHED BY TARGET THEN INSERT ` +
        `(date_uuid, [User ID], [Card Number], [Store Code], product_code, [Product Quantity], [Order Date], [Shipping Date])
  VALUES (s.date_uuid, s.[User ID], s.[Card Number], s.[Store Code], s.product_code, s.[Product Quantity], s.[Order Date], s.[Shipping Date])
WHEN NOT MATCHED BY SOURCE AND t.date_uuid = N'${removed!.dateUuid}' THEN DELETE;`,
    );
    await pool.close();
    await new Promise((resolve) => setImmediate(resolve));
    await expectPositions(store, [kept!, { ...updated!, productQuantity: updated!.productQuantity + 100 }, ...added]);
    await store.close();
  });

  test('an update of no key column leaves the buckets as they were, and a disabled trigger is replaced by the next migration', async () => {
    const pool = await connectWhenUp(connectionString);
    await pool.request().batch("IF OBJECT_ID(N'dbo.orders', N'U') IS NOT NULL DROP TABLE dbo.orders");
    const store = new MssqlOrderStore({ connection: connectionString, bucketRows: 2 });
    await store.migrate();
    const orders = contractOrders();
    for (const o of orders.slice(0, 6)) await store.insert(o);
    const version = async (): Promise<string> =>
      String((await pool.request().query('SELECT version FROM dbo.order_positions_meta')).recordset[0].version);
    const before = await version();
    await pool.request().query("UPDATE dbo.orders SET created_by = N'someone'");
    expect(await version()).toBe(before);
    await pool.request().batch('DISABLE TRIGGER dbo.orders_positions ON dbo.orders');
    const late = orders.slice(6, 9);
    for (const o of late) {
      const r = pool.request();
      for (const [k, v] of Object.entries(o)) r.input(k, v);
      await r.query(
        'INSERT INTO dbo.orders (date_uuid, [User ID], [Card Number], ' +
          '[Store Code], product_code, [Product Quantity], [Order Date], [Shipping Date]) ' +
          'VALUES (@dateUuid, @userId, @cardNumber, @storeCode, @productCode, @productQuantity, @orderDate, @shippingDate)',
      );
    }
    await store.close();
    const restarted = new MssqlOrderStore({ connection: connectionString, bucketRows: 2 });
    await restarted.migrate();
    const enabled = await pool.request().query("SELECT is_disabled FROM sys.triggers WHERE name = N'orders_positions'");
    expect(enabled.recordset).toEqual([{ is_disabled: false }]);
    await pool.close();
    await expectPositions(restarted, orders.slice(0, 9));
    await restarted.close();
  });

  test('a database of the release before folded keys is upgraded in place: orders kept, positions exact, prefix filters find any case', async () => {
    const pool = await connectWhenUp(connectionString);
    // Every position table too: that release's migration makes its own only where the version table is missing.
    const drop = [...RETIRED_BUCKET_TABLES, ...SORT_FIELDS.map(bucketTable), POSITIONS_META].map((t) => `DROP TABLE IF EXISTS dbo.${t};`).join(' ');
    await pool.request().batch(`IF OBJECT_ID(N'dbo.orders', N'U') IS NOT NULL DROP TABLE dbo.orders; ${drop}`);
    // That release's own migration, then orders written as its app wrote them (the trigger of that release counts them).
    await pool.request().batch(fs.readFileSync(path.join(__dirname, 'fixtures', 'mssql-before-folded-keys.sql'), 'utf8'));
    const orders = prefixOrders();
    for (const o of orders) {
      const r = pool.request();
      for (const [k, v] of Object.entries(o)) r.input(k, v);
      await r.query(
        'UPDATE dbo.order_positions_meta SET version = version WHERE id = 1; INSERT INTO dbo.orders (date_uuid, [User ID], [Card Number], ' +
          '[Store Code], product_code, [Product Quantity], [Order Date], [Shipping Date]) ' +
          'VALUES (@dateUuid, @userId, @cardNumber, @storeCode, @productCode, @productQuantity, @orderDate, @shippingDate)',
      );
    }
    const store = new MssqlOrderStore({ connection: connectionString, bucketRows: 2 });
    await store.migrate();
    await store.migrate();
    await expectPositions(store, orders);
    for (const filter of [{ storeCode: 'gb-88' }, { userId: 'BOB' }, { productCode: 'a1_' }] as OrderFilter[]) {
      const sort: OrderSort = { field: 'storeCode', direction: 'asc' };
      expect(await store.page({ filter, sort, skip: 0, limit: 100 })).toEqual(expectedOrder(orders, filter, sort));
    }
    // The release before's indexes and bucket tables stay for its replicas until every one is replaced.
    const left = await pool
      .request()
      .query(
        `SELECT name FROM sys.indexes WHERE object_id = OBJECT_ID(N'dbo.orders') AND name IN (${RETIRED_INDEXES.map((n) => `N'${n}'`).join(', ')})`,
      );
    expect(left.recordset).toHaveLength(RETIRED_INDEXES.length);
    await pool.close();
    await store.close();
  });
} else {
  test.todo('SQL Server contract suite: set MSSQL_TEST_CONNECTION_STRING to run it');
}

describe('SQL Server schema and SQL for the folded keys (read here; run by the SQL Server suite above)', () => {
  const batch = migrationBatch(2);

  test('each folded key is a computed column added only when missing: the 26 ASCII capitals translated, in a binary collation', () => {
    for (const [field, column, key] of [
      ['userId', '[User ID]', 'user_id_key'],
      ['storeCode', '[Store Code]', 'store_code_key'],
      ['productCode', 'product_code', 'product_code_key'],
    ]) {
      expect(TEXT_FILTER_FIELDS).toContain(field);
      expect(batch).toContain(
        `IF COL_LENGTH(N'dbo.orders', N'${key}') IS NULL\n  ALTER TABLE dbo.orders ADD ${key} AS (CAST(TRANSLATE(${column} COLLATE ` +
          `Latin1_General_100_BIN2, N'ABCDEFGHIJKLMNOPQRSTUVWXYZ', N'abcdefghijklmnopqrstuvwxyz') AS NVARCHAR(64)) COLLATE Latin1_General_100_BIN2);`,
      );
    }
    // Not persisted: adding it changes metadata only, its index holds the values.
    expect(batch).not.toMatch(/PERSISTED/);
  });

  test('the list indexes are made in EXEC (they name columns the same batch adds), the folded key first, as on SQLite', () => {
    for (const ix of INDEXES) {
      const columns = ix.columns.length;
      const made = new RegExp(`EXEC \\(N'CREATE INDEX ${ix.name} ON dbo\\.orders \\(([^)]*)\\)'\\);`).exec(batch);
      expect(made?.[1]?.split(', ')).toHaveLength(columns);
    }
    expect(batch).toContain('CREATE INDEX ix_orders_store_key ON dbo.orders (store_code_key, [Order Date], date_uuid, [User ID])');
  });

  test('indexes and bucket tables of the release before are never dropped (its replicas name them until they are replaced)', () => {
    for (const name of [...RETIRED_INDEXES, ...RETIRED_BUCKET_TABLES]) expect(batch).not.toMatch(new RegExp(`DROP (INDEX|TABLE)[^;]*${name}`));
  });

  test("a text sort's bucket table keys on the folded key in its collation; a missing table has the trigger made again, all refilled", () => {
    expect(batch).toContain('CREATE TABLE dbo.order_positions_store_key (store_code_key NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL, ');
    const whenMissing = /IF OBJECT_ID\(N'dbo\.orders_positions', N'TR'\) IS NOT NULL AND \(([^;]*)\)\n {2}DROP TRIGGER dbo\.orders_positions;/.exec(
      batch,
    );
    for (const field of SORT_FIELDS) expect(whenMissing?.[1]).toContain(`OBJECT_ID(N'dbo.${bucketTable(field)}', N'U') IS NULL`);
  });

  test('the trigger tests UPDATE() of stored columns only (a computed column cannot be named there), each text column once', () => {
    const trigger = mssqlPositionTriggerSql(2);
    const updated = [...trigger.matchAll(/UPDATE\(([^)]+)\)/g)].map((m) => m[1]);
    expect(updated).toEqual(expect.arrayContaining(['[User ID]', '[Store Code]', 'product_code']));
    expect(updated.filter((c) => c!.endsWith('_key'))).toEqual([]);
    // Variables take no collation: the folded key's comes from the column it is compared with.
    expect(trigger).not.toMatch(/DECLARE[^;]*COLLATE/);
  });

  test('a prefix filter is a range on the folded key; an inexact bound adds a check of its first characters, counted in UTF-16 units', () => {
    expect(filterConditions({ storeCode: 'GB-88%' }, 'expanded').map((c) => [c.sql, c.params])).toEqual([
      ['store_code_key >= @fStoreCodeLo', { fStoreCodeLo: 'gb-88%' }],
      ['store_code_key < @fStoreCodeHi', { fStoreCodeHi: 'gb-88&' }],
    ]);
    expect(filterConditions({ userId: '😀\uffff' }, 'expanded').map((c) => c.sql)).toEqual([
      'user_id_key >= @fUserIdLo',
      'user_id_key < @fUserIdHi',
      'SUBSTRING(user_id_key, 1, 3) = @fUserIdLo',
    ]);
    expect(filterConditions({ userId: '😀\uffff' }, 'row-values').at(-1)!.sql).toBe('SUBSTRING(user_id_key, 1, 2) = @fUserIdLo');
  });
});

test.each([0, -1, 2.5, Number.NaN])('refuses %p rows per position bucket', (bucketRows) => {
  expect(() => new MssqlOrderStore({ connection: 'Server=localhost;Database=x;User Id=u;Password=p', bucketRows })).toThrow(
    `bucketRows must be a positive integer; got ${bucketRows}`,
  );
});

describe('SQL Server transient-fault handling', () => {
  test.each([40613, 40197, 40501, 49918, 49919, 49920, 10928, 10929, 4060, 4221, 40143, 233, 64, 10053, 10054, 10060])(
    'error %i is transient',
    (number) => {
      expect(isTransient({ number })).toBe(true);
      expect(isTransient({ originalError: { info: { number } } })).toBe(true);
    },
  );

  test.each(['ETIMEOUT', 'ESOCKET', 'ECONNRESET', 'ECLOSE', 'ECONNCLOSED'])('driver code %s is transient', (code) => {
    expect(isTransient({ code })).toBe(true);
  });

  test('a connection closed in the middle of a request (failover) is transient, as mssql wraps it', () => {
    const tedious = Object.assign(new Error('Connection closed before request completed.'), { code: 'ECLOSE' });
    expect(isTransient(new sql.RequestError(tedious as unknown as string))).toBe(true);
    expect(isTransient(new sql.ConnectionError('Connection is closed.', 'ECONNCLOSED'))).toBe(true);
  });

  test('a failed login (wrong password; tedious has already retried the transient ones) is not retried again', () => {
    expect(isTransient(new sql.ConnectionError("Login failed for user 'sa'.", 'ELOGIN'))).toBe(false);
  });

  test('constraint violations and syntax errors are not transient', () => {
    expect(isTransient({ number: 2627 })).toBe(false);
    expect(isTransient({ number: 102 })).toBe(false);
    expect(isTransient(new Error('boom'))).toBe(false);
  });

  test('retries transient faults with backoff, then succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('busy'), { number: 40501 });
        return 'ok';
      },
      { baseDelayMs: 1, onRetry: (_e, attempt) => retries.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(retries).toEqual([1, 2]);
  });

  test('gives up after the last attempt and never retries a permanent error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw Object.assign(new Error('down'), { code: 'ESOCKET' });
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw Object.assign(new Error('dup'), { number: 2627 });
        },
        { baseDelayMs: 1 },
      ),
    ).rejects.toThrow('dup');
    expect(calls).toBe(1);
  });

  test('no retry starts after the deadline, so slow failures (connect timeouts) do not add up to minutes', async () => {
    let calls = 0;
    const started = Date.now();
    const slowFailure = async (): Promise<never> => {
      calls++;
      await new Promise((r) => setTimeout(r, 200));
      throw Object.assign(new Error('Failed to connect in 15000ms'), { code: 'ETIMEOUT' });
    };
    await expect(withRetry(slowFailure, { attempts: 10, baseDelayMs: 1, deadlineMs: 300 })).rejects.toThrow('Failed to connect');
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('connections are always encrypted; Entra login needs no password', () => {
    const entra = mssqlConnectionConfig({
      driver: 'mssql',
      server: 's.database.windows.net',
      database: 'orders',
      port: 1433,
      auth: 'entra',
      clientId: 'cid',
    });
    expect(entra.options?.encrypt).toBe(true);
    expect(entra.options?.trustServerCertificate).toBe(false);
    expect(entra.authentication).toEqual({ type: 'azure-active-directory-default', options: { clientId: 'cid' } });
    expect(entra.password).toBeUndefined();
    const password = mssqlConnectionConfig({ driver: 'mssql', server: 's', database: 'd', port: 1433, auth: 'password', user: 'u', password: 'p' });
    expect(password.options?.encrypt).toBe(true);
    expect(password.authentication).toBeUndefined();
    expect([password.user, password.password]).toEqual(['u', 'p']);
  });
});
