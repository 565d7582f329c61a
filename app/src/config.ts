import { AppContract } from './app-contract';

const E = AppContract.env;

/** How the app reaches SQL Server / Azure SQL. */
export type MssqlAuth = 'password' | 'entra';

export interface SqliteDatabaseConfig {
  readonly driver: 'sqlite';
  /** Database file. @default ./data/orders.db */
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
  /** Secret names of the database settings (defaults in `AppContract.secretNames`). */
  readonly secretNames: {
    readonly server: string;
    readonly database: string;
    readonly user: string;
    readonly password: string;
    /** Read only with sign-in on and no `SESSION_SECRET`. */
    readonly sessionKey: string;
    /** Read only with sign-in on and no `OIDC_CLIENT_SECRET`; optional (a public client has none). */
    readonly oidcClientSecret: string;
  };
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
  /** Token claim holding app roles or group ids. @default "roles" */
  readonly roleClaim: string;
  /** Claim values that make a user a viewer (list, export). @default ["Orders.Viewer"] */
  readonly viewerValues: readonly string[];
  /** Claim values that make a user an editor (viewer plus adding orders). @default ["Orders.Editor"] */
  readonly editorValues: readonly string[];
  /** Signs session cookies; at least 32 characters. From `SESSION_SECRET` or Key Vault (`session-signing-key`). */
  readonly sessionSecret?: string;
  /** @default 480 (8 hours) */
  readonly sessionTtlMinutes: number;
  /**
   * Seconds the app waits for each request to the provider (discovery, token endpoint)
   * before it answers 503; from `OIDC_TIMEOUT_SECONDS`, 1 to 60. @default 10
   */
  readonly providerTimeoutSeconds?: number;
}

export type AuthConfig = { readonly mode: 'none' } | OidcAuthConfig;

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
  /** How long a replica trusts its cached page index without seeing its own writes (SQL Server). */
  /**
   * Seconds the app keeps serving after SIGTERM before it stops accepting connections
   * (readiness is 503 meanwhile). On Kubernetes the preStop pause does this, so 0.
   */
  readonly shutdownDelaySeconds: number;
  /** Fill an empty SQLite database with this many demo orders at start (0: never). */
  readonly seedDemoOrders: number;
  /** Who can reach the app. @default "local" */
  readonly exposure: Exposure;
  /** Sign-in. @default none (local use) */
  readonly auth: AuthConfig;
  /** `Strict-Transport-Security` max-age on HTTPS responses; 0 sends none. @default 0 */
  readonly hstsMaxAgeSeconds: number;
  /**
   * Seconds a client has to send a whole request (headers and body), 1 to 30; then it gets
   * 408 and the connection is closed (checked every second). Node's own default is 300.
   * @default 30
   */
  readonly requestTimeoutSeconds: number;
  /**
   * Requests whose body is still arriving, at most; more are refused at once with 503 and
   * `Retry-After`. Requests without a body (probes, pages) are never counted or refused.
   * @default 64
   */
  readonly maxConcurrentRequestBodies: number;
}

/** A setting has a value the app cannot use. The message names it, the value and the rule. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(raw)}.`);
}

function integer(env: Env, name: string, min: number, max: number, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}.`);
  }
  return Number(raw);
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/**
 * Reads and validates the configuration once, at start. Throws `ConfigError` naming the
 * first wrong setting. With no settings at all, the app runs on `./data/orders.db`.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const mode = oneOf(env, E.nodeEnv, ['development', 'production', 'test'] as const, 'development');
  const port = integer(env, E.port, 0, 65535, AppContract.port);
  const host = text(env, E.host) ?? '127.0.0.1';
  const logLevel = oneOf(env, E.logLevel, ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info');
  const trustProxyRaw = text(env, E.trustProxy);
  let trustProxy: false | number = false;
  if (trustProxyRaw !== undefined && trustProxyRaw !== 'false') {
    if (trustProxyRaw === 'true') trustProxy = 1;
    else trustProxy = integer(env, E.trustProxy, 0, 10, 0) || false;
  }
  const writeRateLimitPerMinute = integer(env, E.writeRateLimitPerMinute, 1, 1_000_000, 30);

  let keyVault: KeyVaultConfig | undefined;
  const vaultUrl = text(env, E.keyVaultUrl);
  if (vaultUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(vaultUrl);
    } catch {
      throw new ConfigError(`${E.keyVaultUrl} must be an https URL such as https://my-vault.vault.azure.net/; got ${JSON.stringify(vaultUrl)}.`);
    }
    if (parsed.protocol !== 'https:') throw new ConfigError(`${E.keyVaultUrl} must use https; got ${JSON.stringify(vaultUrl)}.`);
    keyVault = {
      url: vaultUrl,
      secretNames: {
        server: text(env, E.secretNameServer) ?? AppContract.secretNames.server,
        database: text(env, E.secretNameDatabase) ?? AppContract.secretNames.database,
        user: text(env, E.secretNameUser) ?? AppContract.secretNames.user,
        password: text(env, E.secretNamePassword) ?? AppContract.secretNames.password,
        sessionKey: text(env, E.secretNameSessionKey) ?? AppContract.secretNames.sessionKey,
        oidcClientSecret: text(env, E.secretNameOidcClientSecret) ?? AppContract.secretNames.oidcClientSecret,
      },
    };
    for (const [key, name] of Object.entries(keyVault.secretNames)) {
      if (!/^[0-9a-zA-Z-]{1,127}$/.test(name)) {
        throw new ConfigError(`Key Vault secret name for ${key} must be 1-127 letters, digits and dashes; got ${JSON.stringify(name)}.`);
      }
    }
  }

  const mssqlSettingGiven = [E.mssqlConnectionString, E.mssqlServer].some((n) => text(env, n) !== undefined);
  const driverRaw = text(env, E.databaseDriver);
  if (mode === 'production' && driverRaw === undefined && !mssqlSettingGiven && keyVault === undefined) {
    throw new ConfigError(
      `No database is configured and NODE_ENV is production. Set ${E.databaseDriver}=mssql with ${E.keyVaultUrl} or ${E.mssqlServer}, ` +
        `or ${E.databaseDriver}=sqlite to use a local file knowingly (each replica would get its own data).`,
    );
  }
  const driver = oneOf(env, E.databaseDriver, ['sqlite', 'mssql'] as const, mssqlSettingGiven || keyVault ? 'mssql' : 'sqlite');

  let database: AppConfig['database'];
  if (driver === 'sqlite') {
    database = { driver, file: text(env, E.sqlitePath) ?? './data/orders.db' };
  } else {
    const user = text(env, E.mssqlUser);
    const auth = oneOf(env, E.mssqlAuth, ['password', 'entra'] as const, user ? 'password' : 'entra');
    database = {
      driver,
      connectionString: text(env, E.mssqlConnectionString),
      server: text(env, E.mssqlServer),
      database: text(env, E.mssqlDatabase),
      port: integer(env, E.mssqlPort, 1, 65535, 1433),
      auth,
      user,
      password: env[E.mssqlPassword] || undefined,
      clientId: text(env, E.azureClientId),
    };
    if (!database.connectionString && !database.server && !keyVault) {
      throw new ConfigError(`${E.databaseDriver}=mssql needs ${E.mssqlConnectionString}, ${E.mssqlServer} or ${E.keyVaultUrl}.`);
    }
    if (!keyVault && !database.connectionString && auth === 'password' && (!database.user || !database.password)) {
      throw new ConfigError(`${E.mssqlAuth}=password needs ${E.mssqlUser} and ${E.mssqlPassword} (or ${E.keyVaultUrl} holding them).`);
    }
  }

  const shutdownDelaySeconds = integer(env, E.shutdownDelaySeconds, 0, 60, 0);
  const seedDemoOrders = integer(env, E.seedDemoData, 0, 10_000_000, mode === 'development' && driver === 'sqlite' ? 2000 : 0);
  if (seedDemoOrders > 0 && driver !== 'sqlite') throw new ConfigError(`${E.seedDemoData} works only with ${E.databaseDriver}=sqlite.`);

  const exposure = oneOf(env, E.exposure, ['local', 'clusterip', 'internal', 'public'] as const, 'local');
  const hstsMaxAgeSeconds = integer(env, E.hstsMaxAgeSeconds, 0, 63_072_000, 0);
  const requestTimeoutSeconds = integer(env, E.requestTimeoutSeconds, 1, 30, 30);
  const maxConcurrentRequestBodies = integer(env, E.maxConcurrentRequestBodies, 1, 10_000, 64);
  const auth = loadAuthConfig(env, mode, keyVault !== undefined);
  if (mode === 'production' && exposure === 'public' && auth.mode === 'none' && text(env, E.allowAnonymousPublicAccess) !== 'true') {
    throw new ConfigError(
      `${E.exposure}=public with ${E.authMode}=none would let anyone on the Internet read and add orders. ` +
        `Set ${E.authMode}=oidc (with ${E.oidcIssuerUrl}, ${E.oidcClientId}, ${E.oidcRedirectUri}), or acknowledge it with ${E.allowAnonymousPublicAccess}=true.`,
    );
  }
  if (exposure === 'public' && trustProxy === false) {
    throw new ConfigError(`${E.exposure}=public runs behind the HTTPS ingress: set ${E.trustProxy}=1 so client addresses and secure cookies are right.`);
  }

  return { env: mode, port, host, logLevel, trustProxy, writeRateLimitPerMinute, database, keyVault, shutdownDelaySeconds, seedDemoOrders, exposure, auth, hstsMaxAgeSeconds, requestTimeoutSeconds, maxConcurrentRequestBodies };
}

function list(env: Env, name: string, fallback: readonly string[]): readonly string[] {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const values = raw.split(',').map((v) => v.trim()).filter(Boolean);
  if (values.length === 0) throw new ConfigError(`${name} must list at least one value (comma-separated); got ${JSON.stringify(raw)}.`);
  return values;
}

function loadAuthConfig(env: Env, mode: AppConfig['env'], hasKeyVault: boolean): AuthConfig {
  const authMode = oneOf(env, E.authMode, ['none', 'oidc'] as const, 'none');
  if (authMode === 'none') return { mode: 'none' };
  const required = (name: string, what: string): string => {
    const value = text(env, name);
    if (value === undefined) throw new ConfigError(`${E.authMode}=oidc needs ${name} (${what}).`);
    return value;
  };
  const url = (name: string, what: string): string => {
    const value = required(name, what);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(`${name} must be a URL (${what}); got ${JSON.stringify(value)}.`);
    }
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local && mode !== 'production')) {
      throw new ConfigError(`${name} must use https (http is allowed only for localhost outside production); got ${JSON.stringify(value)}.`);
    }
    return value;
  };
  const issuerUrl = url(E.oidcIssuerUrl, 'the provider, e.g. https://login.microsoftonline.com/<tenant id>/v2.0');
  const clientId = required(E.oidcClientId, "the app registration's client id");
  const redirectUri = url(E.oidcRedirectUri, `this app's ${AppContract.auth.callback} URL as registered with the provider`);
  if (new URL(redirectUri).pathname !== AppContract.auth.callback) {
    throw new ConfigError(`${E.oidcRedirectUri} must end in ${AppContract.auth.callback}; got ${JSON.stringify(redirectUri)}.`);
  }
  const sessionSecret = env[E.sessionSecret] || undefined;
  if (sessionSecret !== undefined && sessionSecret.length < 32) throw new ConfigError(`${E.sessionSecret} must be at least 32 characters.`);
  if (sessionSecret === undefined && !hasKeyVault) {
    throw new ConfigError(`${E.authMode}=oidc needs ${E.sessionSecret} (32+ random characters) or ${E.keyVaultUrl} holding "${AppContract.secretNames.sessionKey}".`);
  }
  return {
    mode: 'oidc',
    issuerUrl,
    clientId,
    clientSecret: env[E.oidcClientSecret] || undefined,
    redirectUri,
    roleClaim: text(env, E.oidcRoleClaim) ?? 'roles',
    viewerValues: list(env, E.oidcViewerRoles, [AppContract.auth.viewerRole]),
    editorValues: list(env, E.oidcEditorRoles, [AppContract.auth.editorRole]),
    sessionSecret,
    sessionTtlMinutes: integer(env, E.sessionTtlMinutes, 5, 1440, 480),
    providerTimeoutSeconds: integer(env, E.oidcTimeoutSeconds, 1, 60, 10),
  };
}
