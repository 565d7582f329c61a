/**
 * The names the order app expects from the platform around it.
 *
 * This module is the single source of truth for every name that the app, the Kubernetes
 * manifests (`k8s/`) and the Azure infrastructure (`infra/`) must agree on. The other layers
 * import it; nobody retypes these values. It has no imports and no side effects, so any
 * layer can load it cheaply.
 */
export const AppContract = {
  /** Application name: Kubernetes `app` label, container name, Azure resource name stem. */
  appName: 'order-app',

  /** TCP port the HTTP server listens on inside the container. */
  port: 5000,

  /** HTTP paths for probes and scraping. None of them needs sign-in. */
  paths: {
    /** Liveness: the process is alive and its event loop turns. Never touches the database. */
    liveness: '/healthz',
    /** Readiness: the database answers and the process is not starting or draining. */
    readiness: '/readyz',
    /** Prometheus metrics. */
    metrics: '/metrics',
  },

  /** Where the app runs in Kubernetes. */
  kubernetes: {
    namespace: 'orders',
    serviceAccount: 'order-app',
  },

  /**
   * Graceful shutdown timings, in seconds. The manifests derive the preStop pause and
   * `terminationGracePeriodSeconds` from these.
   */
  shutdown: {
    /** How long the pod keeps serving after SIGTERM while endpoints are removed (preStop pause). */
    preStopSeconds: 5,
    /** The app's hard limit for finishing in-flight requests and closing the pool after SIGTERM. */
    drainTimeoutSeconds: 10,
  },

  /** Environment variable names the app reads (see `app/src/config.ts` for meaning and defaults). */
  env: {
    nodeEnv: 'NODE_ENV',
    port: 'PORT',
    host: 'HOST',
    logLevel: 'LOG_LEVEL',
    trustProxy: 'TRUST_PROXY',
    writeRateLimitPerMinute: 'WRITE_RATE_LIMIT_PER_MINUTE',
    databaseDriver: 'DATABASE_DRIVER',
    sqlitePath: 'SQLITE_PATH',
    mssqlConnectionString: 'MSSQL_CONNECTION_STRING',
    mssqlServer: 'MSSQL_SERVER',
    mssqlDatabase: 'MSSQL_DATABASE',
    mssqlUser: 'MSSQL_USER',
    mssqlPassword: 'MSSQL_PASSWORD',
    mssqlAuth: 'MSSQL_AUTH',
    mssqlPort: 'MSSQL_PORT',
    azureClientId: 'AZURE_CLIENT_ID',
    keyVaultUrl: 'KEY_VAULT_URL',
    secretNameServer: 'KEY_VAULT_SECRET_DB_SERVER',
    secretNameDatabase: 'KEY_VAULT_SECRET_DB_NAME',
    secretNameUser: 'KEY_VAULT_SECRET_DB_USER',
    secretNamePassword: 'KEY_VAULT_SECRET_DB_PASSWORD',
    pageCacheTtlSeconds: 'PAGE_CACHE_TTL_SECONDS',
    shutdownDelaySeconds: 'SHUTDOWN_DELAY_SECONDS',
    seedDemoData: 'SEED_DEMO_DATA',
  },

  /** Default Key Vault secret names for the database settings. */
  secretNames: {
    server: 'db-server',
    database: 'db-name',
    user: 'db-user',
    password: 'db-password',
  },

  /** The SQL table the app reads and writes (compatible with the original Flask app). */
  database: {
    table: 'orders',
    defaultDatabaseName: 'orders',
  },
} as const;

export type AppContractType = typeof AppContract;
