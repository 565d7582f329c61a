import { AppContract } from '../src/app-contract';
import { ConfigError, loadConfig, settings } from '../src/config';

const E = AppContract.env;

test('no settings: development on ./data/orders.db, port 5000, demo data', () => {
  const c = loadConfig({});
  expect(c).toMatchObject({
    env: 'development',
    port: AppContract.port,
    host: '127.0.0.1',
    database: { driver: 'sqlite', file: './data/orders.db' },
    seedDemoOrders: 2000,
  });
});

test.each([
  [{ [E.port]: 'http' }, 'PORT must be a whole number from 0 to 65535; got "http".'],
  [{ [E.port]: '70000' }, 'PORT must be a whole number from 0 to 65535; got "70000".'],
  [{ [E.logLevel]: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud".'],
  [{ [E.databaseDriver]: 'oracle' }, 'DATABASE_DRIVER must be one of sqlite, mssql; got "oracle".'],
  [{ [E.keyVaultUrl]: 'http://vault' }, 'KEY_VAULT_URL must use https; got "http://vault".'],
  [{ [E.keyVaultUrl]: 'not a url' }, 'KEY_VAULT_URL must be an https URL'],
  [
    { [E.keyVaultUrl]: 'https://v.vault.azure.net', [E.secretNameServer]: 'bad_name!' },
    'KEY_VAULT_SECRET_DB_SERVER must be 1-127 letters, digits and dashes; got "bad_name!".',
  ],
  [{ [E.trustProxy]: 'yes' }, 'TRUST_PROXY must be true, false or a whole number of proxy hops from 0 to 10; got "yes".'],
  [{ [E.mssqlServer]: 's', [E.mssqlPort]: '0' }, 'MSSQL_PORT must be a whole number from 1 to 65535; got "0".'],
  [{ [E.databaseDriver]: 'mssql' }, 'DATABASE_DRIVER=mssql needs MSSQL_CONNECTION_STRING, MSSQL_SERVER or KEY_VAULT_URL.'],
  [{ [E.mssqlServer]: 's', [E.mssqlAuth]: 'password' }, 'MSSQL_AUTH=password needs MSSQL_USER and MSSQL_PASSWORD'],
])('refuses %j with a message naming the setting', (env, message) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
});

test('production with no database configured refuses to start', () => {
  expect(() => loadConfig({ [E.nodeEnv]: 'production' })).toThrow('No database is configured and NODE_ENV is production.');
  expect(loadConfig({ [E.nodeEnv]: 'production', [E.databaseDriver]: 'sqlite' }).seedDemoOrders).toBe(0);
});

test('Key Vault implies SQL Server with passwordless Entra login and the default secret names', () => {
  const c = loadConfig({ [E.nodeEnv]: 'production', [E.keyVaultUrl]: 'https://v.vault.azure.net/', [E.azureClientId]: 'client-1' });
  expect(c.database).toMatchObject({ driver: 'mssql', auth: 'entra', clientId: 'client-1' });
  expect(c.keyVault).toEqual({ url: 'https://v.vault.azure.net/', secretNames: AppContract.secretNames });
});

test('a user name selects password login', () => {
  const c = loadConfig({ [E.mssqlServer]: 's', [E.mssqlUser]: 'u', [E.mssqlPassword]: 'p' });
  expect(c.database).toMatchObject({ driver: 'mssql', auth: 'password', user: 'u', password: 'p', port: 1433 });
});

test('requests must arrive within 30 s and at most 64 bodies arrive at once, by default; both are bounded settings', () => {
  expect(loadConfig({})).toMatchObject({ requestTimeoutSeconds: 30, maxConcurrentRequestBodies: 64 });
  expect(loadConfig({ [E.requestTimeoutSeconds]: '5', [E.maxConcurrentRequestBodies]: '2' })).toMatchObject({
    requestTimeoutSeconds: 5,
    maxConcurrentRequestBodies: 2,
  });
  expect(() => loadConfig({ [E.requestTimeoutSeconds]: '300' })).toThrow('REQUEST_TIMEOUT_SECONDS must be a whole number from 1 to 30; got "300".');
  expect(() => loadConfig({ [E.requestTimeoutSeconds]: '0' })).toThrow('REQUEST_TIMEOUT_SECONDS must be a whole number from 1 to 30; got "0".');
  expect(() => loadConfig({ [E.maxConcurrentRequestBodies]: 'many' })).toThrow(
    'MAX_CONCURRENT_REQUEST_BODIES must be a whole number from 1 to 10000; got "many".',
  );
});

test('every variable in AppContract.env is declared once in the schema, with a description', () => {
  const declared = Object.values(settings).map((s) => s.env);
  expect([...declared].sort()).toEqual(Object.values(E).sort());
  for (const s of Object.values(settings)) expect(s.description).toMatch(/^\S.{10,}[^.]$/);
});

test('a secret is never echoed in the message', () => {
  const secret = 'not-long-enough';
  const env = {
    [E.authMode]: 'oidc',
    [E.oidcIssuerUrl]: 'https://i.example.com/',
    [E.oidcClientId]: 'c',
    [E.oidcRedirectUri]: 'https://o.example.com/auth/callback',
    [E.sessionSecret]: secret,
  };
  expect(() => loadConfig(env)).toThrow('SESSION_SECRET must be at least 32 characters (value not shown: it is a secret).');
  expect(() => loadConfig(env)).not.toThrow(secret);
});

const CONNECTION_STRING =
  'InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=https://uksouth-1.in.applicationinsights.azure.com/;' +
  'LiveEndpoint=https://uksouth.livediagnostics.monitor.azure.com/;ApplicationId=00000000-0000-4000-8000-000000000002';

test('traces: on when a connection string is found, every trace sent; off leaves the connection string unused', () => {
  expect(loadConfig({}).tracing).toEqual({ enabled: true, connectionString: undefined, samplingPercent: 100 });
  expect(loadConfig({ [E.appInsightsConnectionString]: CONNECTION_STRING, [E.traceSamplingPercent]: '25' }).tracing).toEqual({
    enabled: true,
    connectionString: CONNECTION_STRING,
    samplingPercent: 25,
  });
  expect(loadConfig({ [E.tracing]: 'off', [E.appInsightsConnectionString]: CONNECTION_STRING }).tracing.enabled).toBe(false);
  expect(loadConfig({ [E.keyVaultUrl]: 'https://v.vault.azure.net/' }).keyVault!.secretNames.appInsightsConnectionString).toBe(
    'appinsights-connection-string',
  );
});

test('a connection string with only the instrumentation key is accepted (the exporter then uses the global endpoint)', () => {
  const value = 'InstrumentationKey=00000000-0000-4000-8000-000000000001';
  expect(loadConfig({ [E.appInsightsConnectionString]: value }).tracing.connectionString).toBe(value);
});

test.each([
  [`${CONNECTION_STRING};`, "has a part that is not one Key=Value pair (parts are separated by ';', none empty)"],
  ['InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=https://x/?a=b', 'has a part that is not one Key=Value pair'],
  ['IngestionEndpoint=https://uksouth-1.in.applicationinsights.azure.com/', 'has no InstrumentationKey'],
  ['InstrumentationKey=00000000-0000-4000-8000-00000000000G', 'its InstrumentationKey is not a lower-case GUID'],
  ['InstrumentationKey=00000000-0000-4000-8000-00000000000A', 'its InstrumentationKey is not a lower-case GUID'],
  ['InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://collector.local/', 'its IngestionEndpoint is not an https URL'],
])('APPLICATIONINSIGHTS_CONNECTION_STRING %j is refused: %s, the value not shown', (value, problem) => {
  const load = () => loadConfig({ [E.appInsightsConnectionString]: value });
  expect(load).toThrow('APPLICATIONINSIGHTS_CONNECTION_STRING must be an Application Insights connection string (InstrumentationKey=<GUID>;');
  expect(load).toThrow(`: ${problem}`);
  expect(load).toThrow('(value not shown: it is a secret).');
});

test.each(['0', '101', 'all'])('TRACE_SAMPLING_PERCENT %j is refused', (value) => {
  expect(() => loadConfig({ [E.traceSamplingPercent]: value })).toThrow(
    `TRACE_SAMPLING_PERCENT must be a whole number from 1 to 100; got "${value}".`,
  );
});

test('no settings: every setting at its default, no Key Vault, sign-in off', () => {
  expect(loadConfig({})).toEqual({
    env: 'development',
    port: 5000,
    host: '127.0.0.1',
    logLevel: 'info',
    trustProxy: false,
    writeRateLimitPerMinute: 30,
    database: { driver: 'sqlite', file: './data/orders.db' },
    keyVault: undefined,
    shutdownDelaySeconds: 0,
    seedDemoOrders: 2000,
    exposure: 'local',
    auth: { mode: 'none' },
    hstsMaxAgeSeconds: 0,
    requestTimeoutSeconds: 30,
    maxConcurrentRequestBodies: 64,
    listCacheMs: 1000,
    tracing: { enabled: true, connectionString: undefined, samplingPercent: 100 },
  });
});

test('every setting is read from its variable, trimmed, and a blank one means its default', () => {
  const c = loadConfig({
    [E.nodeEnv]: ' test ',
    [E.port]: ' 8080 ',
    [E.host]: '0.0.0.0',
    [E.logLevel]: 'warn',
    [E.trustProxy]: '2',
    [E.writeRateLimitPerMinute]: '1000000',
    [E.sqlitePath]: ' /var/lib/orders.db ',
    [E.seedDemoData]: '',
    [E.shutdownDelaySeconds]: '60',
    [E.exposure]: 'internal',
    [E.hstsMaxAgeSeconds]: '63072000',
    [E.listCacheMs]: '0',
    [E.requestTimeoutSeconds]: '  ',
  });
  expect(c).toMatchObject({
    env: 'test',
    port: 8080,
    host: '0.0.0.0',
    logLevel: 'warn',
    trustProxy: 2,
    writeRateLimitPerMinute: 1_000_000,
    database: { driver: 'sqlite', file: '/var/lib/orders.db' },
    seedDemoOrders: 0,
    shutdownDelaySeconds: 60,
    exposure: 'internal',
    hstsMaxAgeSeconds: 63_072_000,
    listCacheMs: 0,
    requestTimeoutSeconds: 30,
  });
});

test.each([
  ['true', 1],
  ['false', false],
  ['0', false],
  ['1', 1],
  ['10', 10],
])('TRUST_PROXY=%s is %p', (value, trustProxy) => {
  expect(loadConfig({ [E.trustProxy]: value }).trustProxy).toBe(trustProxy);
});

test.each([
  [{ [E.port]: '12abc' }, 'PORT must be a whole number from 0 to 65535; got "12abc".'],
  [{ [E.port]: 'abc12' }, 'PORT must be a whole number from 0 to 65535; got "abc12".'],
  [{ [E.port]: '-1' }, 'PORT must be a whole number from 0 to 65535; got "-1".'],
  [{ [E.writeRateLimitPerMinute]: '0' }, 'WRITE_RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 1000000; got "0".'],
  [{ [E.trustProxy]: '11' }, 'TRUST_PROXY must be true, false or a whole number of proxy hops from 0 to 10; got "11".'],
  [{ [E.trustProxy]: '1x' }, 'TRUST_PROXY must be true, false or a whole number of proxy hops from 0 to 10; got "1x".'],
  [{ [E.trustProxy]: 'x1' }, 'TRUST_PROXY must be true, false or a whole number of proxy hops from 0 to 10; got "x1".'],
  [{ [E.keyVaultUrl]: 'ftp://vault' }, 'KEY_VAULT_URL must be an https URL such as https://my-vault.vault.azure.net/; got "ftp://vault".'],
  [
    { [E.keyVaultUrl]: 'https://v.vault.azure.net/', [E.secretNameUser]: 'u'.repeat(128) },
    `KEY_VAULT_SECRET_DB_USER must be 1-127 letters, digits and dashes; got "${'u'.repeat(128)}".`,
  ],
  [
    { [E.keyVaultUrl]: 'https://v.vault.azure.net/', [E.secretNamePassword]: 'x-db-password' + '_' },
    'KEY_VAULT_SECRET_DB_PASSWORD must be 1-127 letters, digits and dashes; got "x-db-password_".',
  ],
  [{ [E.exposure]: 'world' }, 'EXPOSURE must be one of local, clusterip, internal, public; got "world".'],
  [{ [E.seedDemoData]: '10000001' }, 'SEED_DEMO_DATA must be a whole number from 0 to 10000000; got "10000001".'],
  [{ [E.listCacheMs]: '60001' }, 'LIST_CACHE_MS must be a whole number from 0 to 60000; got "60001".'],
  [{ [E.hstsMaxAgeSeconds]: '63072001' }, 'HSTS_MAX_AGE_SECONDS must be a whole number from 0 to 63072000; got "63072001".'],
  [{ [E.shutdownDelaySeconds]: '61' }, 'SHUTDOWN_DELAY_SECONDS must be a whole number from 0 to 60; got "61".'],
  [{ [E.nodeEnv]: 'staging' }, 'NODE_ENV must be one of development, production, test; got "staging".'],
])('refuses %j with the exact message', (env, message) => {
  expect(() => loadConfig(env)).toThrow(new ConfigError(message));
});

test('Key Vault secret names may be set, each 1-127 letters, digits and dashes', () => {
  const c = loadConfig({
    [E.keyVaultUrl]: 'https://v.vault.azure.net/',
    [E.secretNameServer]: 's',
    [E.secretNameDatabase]: 'd-1',
    [E.secretNameUser]: 'u'.repeat(127),
    [E.secretNamePassword]: 'P',
    [E.secretNameSessionKey]: 'session',
    [E.secretNameOidcClientSecret]: 'oidc',
    [E.secretNameAppInsightsConnectionString]: 'traces-1',
  });
  expect(c.keyVault).toEqual({
    url: 'https://v.vault.azure.net/',
    secretNames: {
      server: 's',
      database: 'd-1',
      user: 'u'.repeat(127),
      password: 'P',
      sessionKey: 'session',
      oidcClientSecret: 'oidc',
      appInsightsConnectionString: 'traces-1',
    },
  });
});

test('SQL Server settings: every field read, the password verbatim, spaces included', () => {
  const c = loadConfig({
    [E.mssqlServer]: ' sql.example.com ',
    [E.mssqlDatabase]: 'orders',
    [E.mssqlPort]: '14330',
    [E.mssqlUser]: ' app ',
    [E.mssqlPassword]: ' p w ',
    [E.azureClientId]: 'client-1',
  });
  expect(c.database).toEqual({
    driver: 'mssql',
    connectionString: undefined,
    server: 'sql.example.com',
    database: 'orders',
    port: 14330,
    auth: 'password',
    user: 'app',
    password: ' p w ',
    clientId: 'client-1',
  });
  expect(c.seedDemoOrders).toBe(0);
});

test('a connection string alone is enough, and wins: no user or password needed, even for password login', () => {
  const c = loadConfig({ [E.mssqlConnectionString]: 'Server=s;Database=d', [E.mssqlAuth]: 'password' });
  expect(c.database).toMatchObject({ driver: 'mssql', connectionString: 'Server=s;Database=d', auth: 'password' });
  expect(loadConfig({ [E.keyVaultUrl]: 'https://v.vault.azure.net/', [E.mssqlAuth]: 'password' }).database).toMatchObject({ auth: 'password' });
  expect(() => loadConfig({ [E.mssqlServer]: 's', [E.mssqlAuth]: 'password', [E.mssqlUser]: 'u' })).toThrow(
    new ConfigError('MSSQL_AUTH=password needs MSSQL_USER and MSSQL_PASSWORD (or KEY_VAULT_URL holding them).'),
  );
  expect(() => loadConfig({ [E.mssqlServer]: 's', [E.mssqlAuth]: 'password', [E.mssqlPassword]: 'p' })).toThrow(
    'needs MSSQL_USER and MSSQL_PASSWORD',
  );
});

test('an explicit DATABASE_DRIVER wins over the SQL Server settings', () => {
  expect(loadConfig({ [E.databaseDriver]: 'sqlite', [E.mssqlServer]: 's' }).database).toEqual({ driver: 'sqlite', file: './data/orders.db' });
});

test('production needs a database, and names the three ways to give one', () => {
  expect(() => loadConfig({ [E.nodeEnv]: 'production' })).toThrow(
    new ConfigError(
      'No database is configured and NODE_ENV is production. Set DATABASE_DRIVER=mssql with KEY_VAULT_URL or MSSQL_SERVER, ' +
        'or DATABASE_DRIVER=sqlite to use a local file knowingly (each replica would get its own data).',
    ),
  );
  expect(loadConfig({ [E.nodeEnv]: 'production', [E.mssqlServer]: 's' }).database.driver).toBe('mssql');
  expect(loadConfig({ [E.nodeEnv]: 'production', [E.mssqlConnectionString]: 'Server=s' }).database.driver).toBe('mssql');
  expect(loadConfig({ [E.nodeEnv]: 'production', [E.keyVaultUrl]: 'https://v.vault.azure.net/' }).database.driver).toBe('mssql');
});

test('demo data only on SQLite: 2000 orders in development by default, none otherwise, refused on SQL Server', () => {
  expect(loadConfig({ [E.nodeEnv]: 'test' }).seedDemoOrders).toBe(0);
  expect(loadConfig({ [E.seedDemoData]: '5' }).seedDemoOrders).toBe(5);
  expect(loadConfig({ [E.seedDemoData]: '0', [E.mssqlServer]: 's' }).seedDemoOrders).toBe(0);
  expect(() => loadConfig({ [E.seedDemoData]: '1', [E.mssqlServer]: 's' })).toThrow(
    new ConfigError('SEED_DEMO_DATA works only with DATABASE_DRIVER=sqlite.'),
  );
});

test('public exposure without trust proxy names the setting to add', () => {
  expect(() => loadConfig({ [E.exposure]: 'public', [E.trustProxy]: '0' })).toThrow(
    new ConfigError('EXPOSURE=public runs behind the HTTPS ingress: set TRUST_PROXY=1 so client addresses and secure cookies are right.'),
  );
  expect(loadConfig({ [E.exposure]: 'public', [E.trustProxy]: '1' }).exposure).toBe('public');
});

describe('rules that are easy to loosen by accident', () => {
  const OIDC = {
    [E.authMode]: 'oidc',
    [E.oidcIssuerUrl]: 'https://i.example.com/',
    [E.oidcClientId]: 'c',
    [E.oidcRedirectUri]: 'https://o.example.com/auth/callback',
    [E.sessionSecret]: 's'.repeat(32),
  };

  test.each(['-1', '1.5', '1e1', '0x1'])('TRUST_PROXY=%s is no whole number of hops', (value) => {
    expect(() => loadConfig({ [E.trustProxy]: value })).toThrow(
      new ConfigError(`TRUST_PROXY must be true, false or a whole number of proxy hops from 0 to 10; got ${JSON.stringify(value)}.`),
    );
  });

  test('role lists are comma-separated and trimmed; a list of only commas and spaces is refused', () => {
    const auth = loadConfig({ ...OIDC, [E.oidcViewerRoles]: ' Orders.Read , ,Orders.Audit ' }).auth;
    expect(auth).toMatchObject({ viewerValues: ['Orders.Read', 'Orders.Audit'] });
    expect(() => loadConfig({ ...OIDC, [E.oidcEditorRoles]: ' , ' })).toThrow(
      new ConfigError(`${E.oidcEditorRoles} must list at least one value (comma-separated); got ",".`),
    );
  });

  test('a missing sign-in setting is named with what it holds, without the "needed for sign-in" note', () => {
    const { [E.oidcIssuerUrl]: _issuer, ...noIssuer } = OIDC;
    expect(() => loadConfig(noIssuer)).toThrow(
      new ConfigError(`${E.authMode}=oidc needs ${E.oidcIssuerUrl} (the provider, e.g. https://login.microsoftonline.com/<tenant id>/v2.0).`),
    );
  });

  test('a public production app without sign-in says how to add it or acknowledge it', () => {
    const env = { [E.nodeEnv]: 'production', [E.databaseDriver]: 'sqlite', [E.exposure]: 'public', [E.trustProxy]: '1' };
    expect(() => loadConfig(env)).toThrow(
      new ConfigError(
        `${E.exposure}=public with ${E.authMode}=none would let anyone on the Internet read and add orders. ` +
          `Set ${E.authMode}=oidc (with ${E.oidcIssuerUrl}, ${E.oidcClientId}, ${E.oidcRedirectUri}), ` +
          `or acknowledge it with ${E.allowAnonymousPublicAccess}=true.`,
      ),
    );
    expect(loadConfig({ ...env, [E.allowAnonymousPublicAccess]: 'true' }).exposure).toBe('public');
  });

  test('a configuration error says it is one', () => {
    expect(() => loadConfig({ [E.port]: 'x' })).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });
});
