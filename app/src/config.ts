import { z } from 'zod';
import { AppContract } from './app-contract';
import { CONNECTION_STRING_SHAPE, connectionStringProblem } from './tracing/connection-string-problem';

const E = AppContract.env;

/** How the app reaches SQL Server / Azure SQL. */
export type MssqlAuth = 'password' | 'entra';

export interface SqliteDatabaseConfig {
  readonly driver: 'sqlite';
  /** Database file (`SQLITE_PATH`). */
  readonly file: string;
}

export interface MssqlDatabaseConfig {
  readonly driver: 'mssql';
  /** A full connection string; when set, it wins over the separate settings. */
  readonly connectionString?: string;
  /** Server host name, e.g. `myserver.database.windows.net` (may come from Key Vault). */
  readonly server?: string;
  readonly database?: string;
  readonly port: number;
  /** `entra`: passwordless, the pod's workload identity. `password`: SQL login. */
  readonly auth: MssqlAuth;
  readonly user?: string;
  readonly password?: string;
  /** Client id of the user-assigned identity (workload identity sets AZURE_CLIENT_ID). */
  readonly clientId?: string;
}

export interface KeyVaultConfig {
  readonly url: string;
  /** Names of the secrets the app reads (defaults in `AppContract.secretNames`). */
  readonly secretNames: {
    readonly server: string;
    readonly database: string;
    readonly user: string;
    readonly password: string;
    /** Read only with sign-in on and no `SESSION_SECRET`. */
    readonly sessionKey: string;
    /** Read only with sign-in on and no `OIDC_CLIENT_SECRET`; optional (a public client has none). */
    readonly oidcClientSecret: string;
    /** Read only with tracing on and no `APPLICATIONINSIGHTS_CONNECTION_STRING`; optional (none: no traces). */
    readonly appInsightsConnectionString: string;
  };
}

/** Distributed traces to Application Insights (the Azure Monitor OpenTelemetry distro). */
export interface TracingConfig {
  /** `false` (`TRACING=off`): never, and Key Vault is not asked. `true`: when a connection string is found. */
  readonly enabled: boolean;
  /** From `APPLICATIONINSIGHTS_CONNECTION_STRING` (validated); wins over the one in Key Vault. */
  readonly connectionString?: string;
  /** Share of traces sent, whole traces kept or dropped by trace id (the distro's fixed-rate sampler). */
  readonly samplingPercent: number;
}

/** How the Service is reached (set by the manifests); `public` means from the Internet, through the HTTPS ingress. */
export type Exposure = 'local' | 'clusterip' | 'internal' | 'public';

/** OpenID Connect sign-in with Microsoft Entra ID (or any OIDC provider). */
export interface OidcAuthConfig {
  readonly mode: 'oidc';
  /** e.g. https://login.microsoftonline.com/<tenant id>/v2.0 */
  readonly issuerUrl: string;
  readonly clientId: string;
  /** Only for confidential clients; from `OIDC_CLIENT_SECRET` or Key Vault (`oidc-client-secret`). */
  readonly clientSecret?: string;
  /** e.g. https://orders.example.com/auth/callback; registered with the provider. */
  readonly redirectUri: string;
  /** Token claim holding app roles or group ids. */
  readonly roleClaim: string;
  /** Claim values that make a user a viewer (list, export). */
  readonly viewerValues: readonly string[];
  /** Claim values that make a user an editor (viewer plus adding orders). */
  readonly editorValues: readonly string[];
  /** Signs session cookies; at least 32 characters. From `SESSION_SECRET` or Key Vault (`session-signing-key`). */
  readonly sessionSecret?: string;
  /** Session lifetime in minutes. */
  readonly sessionTtlMinutes: number;
  /**
   * Seconds the app waits for each request to the provider (discovery, token endpoint)
   * before it answers 503; from `OIDC_TIMEOUT_SECONDS`.
   */
  readonly providerTimeoutSeconds?: number;
}

export type AuthConfig = { readonly mode: 'none' } | OidcAuthConfig;

/**
 * The validated configuration, as the rest of the app sees it. Each field's variable,
 * default and allowed values are declared once, in `settings` below (rendered into
 * docs/configuration.md).
 */
export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Express `trust proxy`: `false`, or the number of proxy hops in front of the app. */
  readonly trustProxy: false | number;
  /** Order submissions allowed per client IP and minute. */
  readonly writeRateLimitPerMinute: number;
  readonly database: SqliteDatabaseConfig | MssqlDatabaseConfig;
  /** When set, database settings are read from Key Vault at start. */
  readonly keyVault?: KeyVaultConfig;
  /**
   * Seconds the app keeps serving after SIGTERM before it stops accepting connections
   * (readiness is 503 meanwhile). On Kubernetes the preStop pause does this, so 0.
   */
  readonly shutdownDelaySeconds: number;
  /** Fill an empty SQLite database with this many demo orders at start (0: never). */
  readonly seedDemoOrders: number;
  /** Who can reach the app. */
  readonly exposure: Exposure;
  /** Sign-in; off (`none`) unless `AUTH_MODE=oidc`. */
  readonly auth: AuthConfig;
  /** `Strict-Transport-Security` max-age on HTTPS responses; 0 sends none. */
  readonly hstsMaxAgeSeconds: number;
  /**
   * Seconds a client has to send a whole request (headers and body); then it gets 408 and
   * the connection is closed (checked every second). Node's own default is 300.
   */
  readonly requestTimeoutSeconds: number;
  /**
   * Requests whose body is still arriving, at most; more are refused at once with 503 and
   * `Retry-After`. Requests without a body (probes, pages) are never counted or refused.
   */
  readonly maxConcurrentRequestBodies: number;
  /**
   * Milliseconds a rendered Order List page may be shown again while no order was added,
   * removed or re-keyed (any write through the app renders afresh at once); 0 turns the
   * reuse off.
   */
  readonly listCacheMs: number;
  /** Traces: off unless a connection string is configured or found in Key Vault. */
  readonly tracing: TracingConfig;
}

/** A setting has a value the app cannot use. The message names it, the value and the rule. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * One environment variable the app reads: declared once, with everything the validator and
 * the generated docs (`docs/configuration.md`) need.
 */
export interface Setting<T, D extends T | undefined = T | undefined> {
  /** The variable's name, from `AppContract.env`. */
  readonly env: string;
  /** Checks and converts the (trimmed, non-empty) text; each issue's message is a rule, e.g. "must be one of a, b". */
  readonly schema: z.ZodType<T, string>;
  /** What the value may be, in words (the docs' "allowed" column). */
  readonly allowed: string;
  /** Used when the variable is unset or blank; `undefined` when there is none or it depends on other settings. */
  readonly default: D;
  /** The default in words, when it depends on other settings (then `default` is `undefined`). */
  readonly defaultText?: string;
  /** One line: what the setting does. Lower case, no final full stop. */
  readonly description: string;
  /** A secret: its value never appears in an error message. */
  readonly secret?: boolean;
  /** Read as given, spaces included (passwords and keys may start or end with one). */
  readonly verbatim?: boolean;
}

/** The checks and the words for one kind of value. */
interface Kind<T> {
  readonly schema: z.ZodType<T, string>;
  readonly allowed: string;
}

function wholeNumber(min: number, max: number): Kind<number> {
  const rule = `must be a whole number from ${min} to ${max}`;
  return {
    schema: z.string().regex(/^\d+$/, rule).transform(Number).pipe(z.number().min(min, rule).max(max, rule)),
    allowed: `whole number, ${min} to ${max}`,
  };
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T): Kind<T[number]> {
  return { schema: z.enum(values, `must be one of ${values.join(', ')}`), allowed: values.map((v) => `\`${v}\``).join(', ') };
}

const anyText: Kind<string> = { schema: z.string(), allowed: 'text' };

function minLength(min: number): Kind<string> {
  return { schema: z.string().min(min, `must be at least ${min} characters`), allowed: `text, ${min}+ characters` };
}

const keyVaultSecretName: Kind<string> = {
  schema: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be 1-127 letters, digits and dashes'),
  allowed: 'Key Vault secret name: 1-127 letters, digits and dashes',
};

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}

/** An https URL; `http` passes here when `httpAllowed` is set, and that rule is checked by `loadConfig` (it depends on `NODE_ENV`). */
function url(example: string, options: { httpAllowed?: string; pathname?: string } = {}): Kind<string> {
  const allowed = options.httpAllowed ? `https URL (${options.httpAllowed})` : 'https URL';
  let schema = z
    .string()
    .refine(isHttpUrl, `must be an ${allowed} such as ${example}`)
    .refine((v) => !isHttpUrl(v) || options.httpAllowed !== undefined || new URL(v).protocol === 'https:', 'must use https');
  if (options.pathname !== undefined) {
    const pathname = options.pathname;
    schema = schema.refine((v) => !isHttpUrl(v) || new URL(v).pathname === pathname, `must end in ${pathname}`);
  }
  return { schema, allowed: options.pathname ? `${allowed} ending in \`${options.pathname}\`` : allowed };
}

const appInsightsConnectionString: Kind<string> = {
  schema: z.string().superRefine((value, ctx) => {
    const problem = connectionStringProblem(value);
    if (problem)
      // Stryker disable next-line StringLiteral: zod reports the message whatever the issue's code
      ctx.addIssue({ code: 'custom', message: `must be an Application Insights connection string (${CONNECTION_STRING_SHAPE}): ${problem}` });
  }),
  allowed: 'Application Insights connection string: `InstrumentationKey=<GUID>;IngestionEndpoint=https://...`',
};

const commaList: Kind<readonly string[]> = {
  schema: z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1, 'must list at least one value (comma-separated)')),
  allowed: 'comma-separated list',
};

const trustProxyHops: Kind<false | number> = (() => {
  const rule = 'must be true, false or a whole number of proxy hops from 0 to 10';
  return {
    schema: z.union(
      [
        z.literal('false').transform(() => false as const),
        z.literal('true').transform(() => 1),
        z
          .string()
          .regex(/^\d+$/)
          .transform(Number)
          .pipe(z.number().max(10))
          .transform((n) => n || false),
      ],
      rule,
    ),
    allowed: '`true` (1), `false`, or a whole number of hops, 0 to 10',
  };
})();

function setting<T, const D extends T | undefined = undefined>(
  kind: Kind<T>,
  spec: { env: string; description: string; default?: D; defaultText?: string; secret?: boolean; verbatim?: boolean },
): Setting<T, D> {
  return { ...kind, ...spec, default: spec.default as D };
}

/**
 * Every setting the app reads, in the order the docs list them. Rules that relate two
 * settings (e.g. `EXPOSURE=public` needs `TRUST_PROXY`) are in `loadConfig`.
 */
export const settings = {
  nodeEnv: setting(oneOf(['development', 'production', 'test']), {
    env: E.nodeEnv,
    default: 'development',
    description: '`production` refuses to start with no database configured, and never seeds demo data',
  }),
  port: setting(wholeNumber(0, 65535), { env: E.port, default: AppContract.port, description: 'TCP port the server listens on (0: any free port)' }),
  host: setting(anyText, { env: E.host, default: '127.0.0.1', description: 'address the server listens on (the image sets `0.0.0.0`)' }),
  logLevel: setting(oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), {
    env: E.logLevel,
    default: 'info',
    description: 'pino log level',
  }),
  trustProxy: setting(trustProxyHops, {
    env: E.trustProxy,
    default: false,
    description: 'Express `trust proxy`: hops of trusted proxies in front, for client addresses and secure cookies behind an ingress',
  }),
  writeRateLimitPerMinute: setting(wholeNumber(1, 1_000_000), {
    env: E.writeRateLimitPerMinute,
    default: 30,
    description: 'order submissions allowed per client IP and minute',
  }),
  databaseDriver: setting(oneOf(['sqlite', 'mssql']), {
    env: E.databaseDriver,
    defaultText: `\`sqlite\`, or \`mssql\` when \`${E.mssqlConnectionString}\`, \`${E.mssqlServer}\` or \`${E.keyVaultUrl}\` is set`,
    description: 'where orders are stored; in production one of them must be chosen',
  }),
  sqlitePath: setting(anyText, { env: E.sqlitePath, default: './data/orders.db', description: 'SQLite database file (WAL mode, 5 s busy timeout)' }),
  seedDemoData: setting(wholeNumber(0, 10_000_000), {
    env: E.seedDemoData,
    defaultText: '`2000` in development on SQLite, else `0`',
    description: 'demo orders put into an empty SQLite database at start (0: none)',
  }),
  mssqlConnectionString: setting(anyText, {
    env: E.mssqlConnectionString,
    secret: true,
    description: `a full SQL Server connection string; wins over \`${E.mssqlServer}\` and the other separate settings`,
  }),
  mssqlServer: setting(anyText, {
    env: E.mssqlServer,
    description: 'SQL Server / Azure SQL host, e.g. `myserver.database.windows.net` (or from Key Vault)',
  }),
  mssqlDatabase: setting(anyText, { env: E.mssqlDatabase, description: 'database name (or from Key Vault)' }),
  mssqlPort: setting(wholeNumber(1, 65535), { env: E.mssqlPort, default: 1433, description: 'SQL Server port' }),
  mssqlAuth: setting(oneOf(['password', 'entra']), {
    env: E.mssqlAuth,
    defaultText: `\`entra\`, or \`password\` when \`${E.mssqlUser}\` is set`,
    description: "`entra`: passwordless (`azure-active-directory-default`, the pod's workload identity); `password`: SQL login",
  }),
  mssqlUser: setting(anyText, { env: E.mssqlUser, description: 'SQL login, password login only (or from Key Vault)' }),
  mssqlPassword: setting(anyText, {
    env: E.mssqlPassword,
    secret: true,
    verbatim: true,
    description: "SQL login's password, password login only (or from Key Vault)",
  }),
  azureClientId: setting(anyText, { env: E.azureClientId, description: 'client id of the user-assigned identity (set by AKS workload identity)' }),
  keyVaultUrl: setting(url('https://my-vault.vault.azure.net/'), {
    env: E.keyVaultUrl,
    description: 'read the database and sign-in secrets from this vault at start',
  }),
  secretNameServer: setting(keyVaultSecretName, {
    env: E.secretNameServer,
    default: AppContract.secretNames.server,
    description: "Key Vault secret holding the SQL Server's host name",
  }),
  secretNameDatabase: setting(keyVaultSecretName, {
    env: E.secretNameDatabase,
    default: AppContract.secretNames.database,
    description: 'Key Vault secret holding the database name',
  }),
  secretNameUser: setting(keyVaultSecretName, {
    env: E.secretNameUser,
    default: AppContract.secretNames.user,
    description: 'Key Vault secret holding the SQL login (password login only)',
  }),
  secretNamePassword: setting(keyVaultSecretName, {
    env: E.secretNamePassword,
    default: AppContract.secretNames.password,
    description: "Key Vault secret holding the SQL login's password (password login only)",
  }),
  secretNameSessionKey: setting(keyVaultSecretName, {
    env: E.secretNameSessionKey,
    default: AppContract.secretNames.sessionKey,
    description: `Key Vault secret holding the session signing key (sign-in without \`${E.sessionSecret}\`; the infra generates it)`,
  }),
  secretNameOidcClientSecret: setting(keyVaultSecretName, {
    env: E.secretNameOidcClientSecret,
    default: AppContract.secretNames.oidcClientSecret,
    description: `Key Vault secret holding the OIDC client secret, if any (sign-in without \`${E.oidcClientSecret}\`)`,
  }),
  secretNameAppInsightsConnectionString: setting(keyVaultSecretName, {
    env: E.secretNameAppInsightsConnectionString,
    default: AppContract.secretNames.appInsightsConnectionString,
    description: `Key Vault secret holding the Application Insights connection string (tracing on, without \`${E.appInsightsConnectionString}\`)`,
  }),
  tracing: setting(oneOf(['on', 'off']), {
    env: E.tracing,
    default: 'on',
    description:
      `\`on\`: traces go to Application Insights when \`${E.appInsightsConnectionString}\` is set or Key Vault holds the connection string; ` +
      '`off`: no traces, nothing loaded or sent',
  }),
  appInsightsConnectionString: setting(appInsightsConnectionString, {
    env: E.appInsightsConnectionString,
    secret: true,
    description: "where traces go (the Application Insights resource's connection string); without it, read from Key Vault if there",
  }),
  traceSamplingPercent: setting(wholeNumber(1, 100), {
    env: E.traceSamplingPercent,
    default: 100,
    description:
      'percentage of traces sent: each request with its queries and calls is kept or dropped whole, by trace id, ' +
      'and Application Insights scales its counts by it',
  }),
  shutdownDelaySeconds: setting(wholeNumber(0, 60), {
    env: E.shutdownDelaySeconds,
    default: 0,
    description: "seconds to keep serving after SIGTERM, readiness 503 meanwhile (Kubernetes' preStop pause does it there)",
  }),
  exposure: setting(oneOf(['local', 'clusterip', 'internal', 'public']), {
    env: E.exposure,
    default: 'local',
    description: `who can reach the app (set by the manifests); \`public\` needs \`${E.trustProxy}\` and, in production, sign-in`,
  }),
  allowAnonymousPublicAccess: setting(oneOf(['true', 'false']), {
    env: E.allowAnonymousPublicAccess,
    default: 'false',
    description: `\`true\` acknowledges running in production with \`${E.exposure}=public\` and no sign-in; otherwise the app refuses to start`,
  }),
  hstsMaxAgeSeconds: setting(wholeNumber(0, 63_072_000), {
    env: E.hstsMaxAgeSeconds,
    default: 0,
    description: '`Strict-Transport-Security` max-age on HTTPS responses, 0: none (the manifests set a year for `public`)',
  }),
  requestTimeoutSeconds: setting(wholeNumber(1, 30), {
    env: E.requestTimeoutSeconds,
    default: 30,
    description: 'seconds a client has to send a whole request (headers and body), then 408 and the connection is closed',
  }),
  maxConcurrentRequestBodies: setting(wholeNumber(1, 10_000), {
    env: E.maxConcurrentRequestBodies,
    default: 64,
    description: 'requests whose body is still arriving, at most; one more gets 503 with `Retry-After` (probes and pages are never counted)',
  }),
  listCacheMs: setting(wholeNumber(0, 60_000), {
    env: E.listCacheMs,
    default: 1000,
    description:
      'milliseconds a rendered Order List page is shown again to the next viewer while no order was added, removed or re-keyed ' +
      '(a write renders afresh at once, from any replica); bounds how late an edit made outside the app shows; 0 turns reuse off',
  }),
  authMode: setting(oneOf(['none', 'oidc']), {
    env: E.authMode,
    default: 'none',
    description: '`oidc` turns sign-in on (OpenID Connect, e.g. Microsoft Entra ID)',
  }),
  oidcIssuerUrl: setting(url('https://login.microsoftonline.com/<tenant id>/v2.0', { httpAllowed: 'http only for localhost outside production' }), {
    env: E.oidcIssuerUrl,
    description: 'the provider, e.g. `https://login.microsoftonline.com/<tenant id>/v2.0`; needed for sign-in',
  }),
  oidcClientId: setting(anyText, { env: E.oidcClientId, description: "the app registration's client id; needed for sign-in" }),
  oidcClientSecret: setting(anyText, {
    env: E.oidcClientSecret,
    secret: true,
    verbatim: true,
    description: "the app registration's client secret, confidential clients only; without it, read from Key Vault if there",
  }),
  oidcRedirectUri: setting(
    url(`https://orders.example.com${AppContract.auth.callback}`, {
      httpAllowed: 'http only for localhost outside production',
      pathname: AppContract.auth.callback,
    }),
    {
      env: E.oidcRedirectUri,
      description: `this app's \`${AppContract.auth.callback}\` URL as registered with the provider; needed for sign-in`,
    },
  ),
  oidcRoleClaim: setting(anyText, {
    env: E.oidcRoleClaim,
    default: 'roles',
    description: 'token claim holding app roles (`roles`) or group ids (`groups`)',
  }),
  oidcViewerRoles: setting(commaList, {
    env: E.oidcViewerRoles,
    default: [AppContract.auth.viewerRole],
    description: 'claim values that make a user a viewer (list, read, export)',
  }),
  oidcEditorRoles: setting(commaList, {
    env: E.oidcEditorRoles,
    default: [AppContract.auth.editorRole],
    description: 'claim values that make a user an editor (a viewer who may also add orders)',
  }),
  sessionSecret: setting(minLength(32), {
    env: E.sessionSecret,
    secret: true,
    verbatim: true,
    description: 'signs the session cookies (32+ random characters); without it, read from Key Vault',
  }),
  sessionTtlMinutes: setting(wholeNumber(5, 1440), {
    env: E.sessionTtlMinutes,
    default: 480,
    description: 'session lifetime in minutes (480: 8 hours)',
  }),
  oidcTimeoutSeconds: setting(wholeNumber(1, 60), {
    env: E.oidcTimeoutSeconds,
    default: 10,
    description: 'seconds to wait for each request to the provider (discovery, token endpoint) before answering 503',
  }),
} as const;

export type SettingKey = keyof typeof settings;

/** The value of one setting: its default when unset or blank; `ConfigError` naming the variable, the value and the rule when wrong. */
function read<T, D extends T | undefined>(env: Env, s: Setting<T, D>): T | D {
  const given = env[s.env];
  const raw = s.verbatim ? given : given?.trim();
  if (raw === undefined || raw === '') return s.default;
  const result = s.schema.safeParse(raw);
  if (result.success) return result.data;
  // A failed parse has at least one issue; every schema here gives it a message.
  const rule = result.error.issues[0]!.message;
  throw new ConfigError(s.secret ? `${s.env} ${rule} (value not shown: it is a secret).` : `${s.env} ${rule}; got ${JSON.stringify(raw)}.`);
}

/**
 * Reads and validates the configuration once, at start. Throws `ConfigError` naming the
 * first wrong setting. With no settings at all, the app runs on `./data/orders.db`.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const S = settings;
  const mode = read(env, S.nodeEnv);
  const port = read(env, S.port);
  const host = read(env, S.host);
  const logLevel = read(env, S.logLevel);
  const trustProxy = read(env, S.trustProxy);
  const writeRateLimitPerMinute = read(env, S.writeRateLimitPerMinute);

  let keyVault: KeyVaultConfig | undefined;
  const vaultUrl = read(env, S.keyVaultUrl);
  if (vaultUrl !== undefined) {
    keyVault = {
      url: vaultUrl,
      secretNames: {
        server: read(env, S.secretNameServer),
        database: read(env, S.secretNameDatabase),
        user: read(env, S.secretNameUser),
        password: read(env, S.secretNamePassword),
        sessionKey: read(env, S.secretNameSessionKey),
        oidcClientSecret: read(env, S.secretNameOidcClientSecret),
        appInsightsConnectionString: read(env, S.secretNameAppInsightsConnectionString),
      },
    };
  }

  const mssqlSettingGiven = read(env, S.mssqlConnectionString) !== undefined || read(env, S.mssqlServer) !== undefined;
  const driverGiven = read(env, S.databaseDriver);
  if (mode === 'production' && driverGiven === undefined && !mssqlSettingGiven && keyVault === undefined) {
    throw new ConfigError(
      `No database is configured and NODE_ENV is production. Set ${E.databaseDriver}=mssql with ${E.keyVaultUrl} or ${E.mssqlServer}, ` +
        `or ${E.databaseDriver}=sqlite to use a local file knowingly (each replica would get its own data).`,
    );
  }
  const driver = driverGiven ?? (mssqlSettingGiven || keyVault ? 'mssql' : 'sqlite');

  let database: AppConfig['database'];
  if (driver === 'sqlite') {
    database = { driver, file: read(env, S.sqlitePath) };
  } else {
    const user = read(env, S.mssqlUser);
    const auth = read(env, S.mssqlAuth) ?? (user ? 'password' : 'entra');
    database = {
      driver,
      connectionString: read(env, S.mssqlConnectionString),
      server: read(env, S.mssqlServer),
      database: read(env, S.mssqlDatabase),
      port: read(env, S.mssqlPort),
      auth,
      user,
      password: read(env, S.mssqlPassword),
      clientId: read(env, S.azureClientId),
    };
    if (!database.connectionString && !database.server && !keyVault) {
      throw new ConfigError(`${E.databaseDriver}=mssql needs ${E.mssqlConnectionString}, ${E.mssqlServer} or ${E.keyVaultUrl}.`);
    }
    if (!keyVault && !database.connectionString && auth === 'password' && (!database.user || !database.password)) {
      throw new ConfigError(`${E.mssqlAuth}=password needs ${E.mssqlUser} and ${E.mssqlPassword} (or ${E.keyVaultUrl} holding them).`);
    }
  }

  const shutdownDelaySeconds = read(env, S.shutdownDelaySeconds);
  const seedDemoOrders = read(env, S.seedDemoData) ?? (mode === 'development' && driver === 'sqlite' ? 2000 : 0);
  if (seedDemoOrders > 0 && driver !== 'sqlite') throw new ConfigError(`${E.seedDemoData} works only with ${E.databaseDriver}=sqlite.`);

  const exposure = read(env, S.exposure);
  const hstsMaxAgeSeconds = read(env, S.hstsMaxAgeSeconds);
  const requestTimeoutSeconds = read(env, S.requestTimeoutSeconds);
  const maxConcurrentRequestBodies = read(env, S.maxConcurrentRequestBodies);
  const listCacheMs = read(env, S.listCacheMs);
  const tracing: TracingConfig = {
    enabled: read(env, S.tracing) === 'on',
    connectionString: read(env, S.appInsightsConnectionString),
    samplingPercent: read(env, S.traceSamplingPercent),
  };
  const auth = loadAuthConfig(env, mode, keyVault !== undefined);
  if (mode === 'production' && exposure === 'public' && auth.mode === 'none' && read(env, S.allowAnonymousPublicAccess) !== 'true') {
    throw new ConfigError(
      `${E.exposure}=public with ${E.authMode}=none would let anyone on the Internet read and add orders. ` +
        `Set ${E.authMode}=oidc (with ${E.oidcIssuerUrl}, ${E.oidcClientId}, ${E.oidcRedirectUri}), ` +
        `or acknowledge it with ${E.allowAnonymousPublicAccess}=true.`,
    );
  }
  if (exposure === 'public' && trustProxy === false) {
    throw new ConfigError(
      `${E.exposure}=public runs behind the HTTPS ingress: set ${E.trustProxy}=1 so client addresses and secure cookies are right.`,
    );
  }

  return {
    env: mode,
    port,
    host,
    logLevel,
    trustProxy,
    writeRateLimitPerMinute,
    database,
    keyVault,
    shutdownDelaySeconds,
    seedDemoOrders,
    exposure,
    auth,
    hstsMaxAgeSeconds,
    requestTimeoutSeconds,
    maxConcurrentRequestBodies,
    listCacheMs,
    tracing,
  };
}

function loadAuthConfig(env: Env, mode: AppConfig['env'], hasKeyVault: boolean): AuthConfig {
  const S = settings;
  if (read(env, S.authMode) === 'none') return { mode: 'none' };
  const required = (s: Setting<string>): string => {
    const value = read(env, s);
    if (value === undefined)
      // Stryker disable next-line Regex: the note ends each description that holds it, so the anchor changes nothing
      throw new ConfigError(`${E.authMode}=oidc needs ${s.env} (${s.description.replace(/; needed for sign-in$/, '').replace(/`/g, '')}).`);
    return value;
  };
  // The schema lets http through; whether it is allowed depends on NODE_ENV.
  const httpsUnlessLocal = (s: Setting<string>): string => {
    const value = required(s);
    const parsed = new URL(value);
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(local && mode !== 'production')) {
      throw new ConfigError(`${s.env} must use https (http is allowed only for localhost outside production); got ${JSON.stringify(value)}.`);
    }
    return value;
  };
  const issuerUrl = httpsUnlessLocal(S.oidcIssuerUrl);
  const clientId = required(S.oidcClientId);
  const redirectUri = httpsUnlessLocal(S.oidcRedirectUri);
  const sessionSecret = read(env, S.sessionSecret);
  if (sessionSecret === undefined && !hasKeyVault) {
    throw new ConfigError(
      `${E.authMode}=oidc needs ${E.sessionSecret} (32+ random characters) or ${E.keyVaultUrl} holding "${AppContract.secretNames.sessionKey}".`,
    );
  }
  return {
    mode: 'oidc',
    issuerUrl,
    clientId,
    clientSecret: read(env, S.oidcClientSecret),
    redirectUri,
    roleClaim: read(env, S.oidcRoleClaim),
    viewerValues: read(env, S.oidcViewerRoles),
    editorValues: read(env, S.oidcEditorRoles),
    sessionSecret,
    sessionTtlMinutes: read(env, S.sessionTtlMinutes),
    providerTimeoutSeconds: read(env, S.oidcTimeoutSeconds),
  };
}
