/**
 * One-time deploy step after `cdktf deploy platform-<env>`: lets the app's managed identity
 * log in to its database without a password. Terraform's azurerm provider cannot create
 * database users, so this runs T-SQL as the SQL Entra administrator (the deploying
 * principal: `az login` locally, OIDC in the pipeline). Idempotent.
 *   npm run grant:sql -- --env dev
 * The server has no public network access: run it from inside the VNet (a pipeline agent
 * there, or a pod), or it cannot connect.
 */
import sql from 'mssql';
import { parseArgs } from '../../app/scripts/cli-args';
import { environments } from '../config/environment-config';
import { APP_IDENTITY_NAME } from '../constructs/app-data';

/** Database roles the app needs: read and write orders, and create its table and indexes (migrations). */
export const APP_DATABASE_ROLES = ['db_datareader', 'db_datawriter', 'db_ddladmin'] as const;

/** The T-SQL batch: a contained user for the identity, and its roles. `@name` is a parameter. */
export function grantAppAccessBatch(): string {
  return [
    "IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @name)",
    "  EXEC(N'CREATE USER ' + QUOTENAME(@name) + N' FROM EXTERNAL PROVIDER');",
    ...APP_DATABASE_ROLES.map(
      (role) => `IF IS_ROLEMEMBER(N'${role}', @name) = 0 OR IS_ROLEMEMBER(N'${role}', @name) IS NULL EXEC(N'ALTER ROLE ${role} ADD MEMBER ' + QUOTENAME(@name));`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { env: 'dev or prod' });
  const config = environments().find((e) => e.name === args.env);
  if (!config) throw new Error(`--env must be one of ${environments().map((e) => e.name).join(', ')}; got ${JSON.stringify(args.env)}.`);
  const pool = await new sql.ConnectionPool({
    server: `${config.data.sqlServerName}.database.windows.net`,
    database: config.data.databaseName,
    options: { encrypt: true, trustServerCertificate: false },
    authentication: { type: 'azure-active-directory-default', options: {} },
  }).connect();
  try {
    await pool.request().input('name', sql.NVarChar(128), APP_IDENTITY_NAME).query(grantAppAccessBatch());
    process.stdout.write(`${APP_IDENTITY_NAME} can now sign in to ${config.data.databaseName} with roles ${APP_DATABASE_ROLES.join(', ')}.\n`);
  } finally {
    await pool.close();
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`grant:sql: ${err.message}\n`);
    process.exit(1);
  });
}
