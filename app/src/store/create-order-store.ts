import type sql from 'mssql';
import type { AppConfig, MssqlDatabaseConfig } from '../config';
import { readDatabaseSecrets, type ReadSecretsOptions } from '../secrets/key-vault-secrets';
import { MssqlOrderStore, type RetryOptions } from './mssql-order-store';
import type { OrderStore } from './order-store';
import { SqliteOrderStore } from './sqlite-order-store';

/** Builds the `mssql` pool configuration: always encrypted, Entra or password login. */
export function mssqlConnectionConfig(db: MssqlDatabaseConfig & { server: string; database: string }): sql.config {
  const base: sql.config = {
    server: db.server,
    database: db.database,
    port: db.port,
    options: { encrypt: true, trustServerCertificate: false, appName: 'order-app' },
    pool: { max: 10, min: 0, idleTimeoutMillis: 30_000 },
    connectionTimeout: 15_000,
    requestTimeout: 15_000,
  };
  if (db.auth === 'entra') {
    return { ...base, authentication: { type: 'azure-active-directory-default', options: db.clientId ? { clientId: db.clientId } : {} } };
  }
  return { ...base, user: db.user, password: db.password };
}

export interface CreateOrderStoreOptions {
  readonly secrets?: ReadSecretsOptions;
  readonly retry?: RetryOptions;
  /** Told once when the SQLite file is found removed or replaced under the running app (see `SqliteOrderStoreProps.onFault`). */
  readonly onFault?: (message: string) => void;
}

/** Opens the configured store (reading database settings from Key Vault first when configured). */
export async function createOrderStore(config: AppConfig, options: CreateOrderStoreOptions = {}): Promise<OrderStore> {
  const db = config.database;
  if (db.driver === 'sqlite') return new SqliteOrderStore({ file: db.file, onFault: options.onFault });
  if (db.connectionString && !config.keyVault) {
    return new MssqlOrderStore({ connection: db.connectionString, retry: options.retry });
  }
  let settings = db;
  if (config.keyVault) {
    const secrets = await readDatabaseSecrets(config.keyVault, db.auth, { managedIdentityClientId: db.clientId, ...options.secrets });
    settings = { ...db, ...secrets };
  }
  const { server, database } = settings;
  if (!server || !database) throw new Error('The SQL Server name and database name are required (from MSSQL_SERVER / MSSQL_DATABASE or Key Vault).');
  return new MssqlOrderStore({
    connection: mssqlConnectionConfig({ ...settings, server, database }),
    retry: options.retry,
  });
}
