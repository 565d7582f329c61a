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
