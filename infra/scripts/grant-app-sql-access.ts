/**
 * Deploy step after the platform stack is applied: lets the app's managed identity log in to
 * its database without a password. Terraform's azurerm provider cannot create database users,
 * so this runs T-SQL as a member of the SQL Entra administrators' group (SQL_ADMIN_GROUP_*:
 * the pipeline's principal is a member). Idempotent.
 *   npm run tf -- outputs --env dev            # cdktf.out/outputs-dev.json
 *   npm run grant:sql -- --env dev [--infra-outputs cdktf.out/outputs-dev.json]
 * The server has no public network access: run it from inside the VNet (the deploy agents),
 * or it cannot connect.
 *
 * The user is created `WITH SID = <client id>, TYPE = E`, which needs no directory lookup:
 * `FROM EXTERNAL PROVIDER` looks the name up in Entra, which fails when two identities share
 * a name and, run by a service principal, needs Directory Readers for the server's own
 * identity (Msg 33134). `--lookup entra` uses `FROM EXTERNAL PROVIDER WITH OBJECT_ID` instead,
 * for people who want Entra to confirm the principal exists.
 */
import { readFileSync } from 'node:fs';
import sql from 'mssql';
import { oneOf, parseArgs, UsageError, usage } from '../../lib/cli-args';
import { environments } from '../../platform/environment-config';
import { GUID } from '../../platform/guid';

/** Database roles the app needs: read and write orders, and create its table and indexes (migrations). */
export const APP_DATABASE_ROLES = ['db_datareader', 'db_datawriter', 'db_ddladmin'] as const;

/** How the database user is tied to the identity. */
export type PrincipalLookup = 'sid' | 'entra';

/** The app identity, as the platform stack's outputs describe it. */
export interface AppIdentity {
  /** Display name: the database user's name. */
  readonly name: string;
  /** Application (client) id: what an Entra token carries, and the user's SID. */
  readonly clientId: string;
  /** Object (principal) id of the identity's service principal. */
  readonly principalId: string;
}

/**
 * The SID Azure SQL stores for an Entra application or managed identity: its client id in
 * the byte order of SQL Server's uniqueidentifier (the first three groups little-endian).
 */
export function entraSid(clientId: string): Buffer {
  if (!GUID.test(clientId)) throw new UsageError(`client id must be a GUID; got ${JSON.stringify(clientId)}.`);
  const hex = clientId.replace(/-/g, '');
  const bytes = Buffer.from(hex, 'hex');
  const swap = (start: number, length: number) => bytes.subarray(start, start + length).reverse();
  swap(0, 4);
  swap(4, 2);
  swap(6, 2);
  return bytes;
}

/**
 * The T-SQL batch. Parameters: `@name` (nvarchar), `@sid` (varbinary(16)), `@objectId`
 * (uniqueidentifier, `entra` lookup only). Creates the contained user if missing, refuses a
 * user of that name that belongs to another identity (a recreated identity has a new client
 * id), then adds the roles.
 */
export function grantAppAccessBatch(lookup: PrincipalLookup = 'sid'): string {
  const create =
    lookup === 'sid'
      ? "  EXEC(N'CREATE USER ' + QUOTENAME(@name) + N' WITH SID = ' + CONVERT(nvarchar(34), @sid, 1) + N', TYPE = E');"
      : "  EXEC(N'CREATE USER ' + QUOTENAME(@name) + N' FROM EXTERNAL PROVIDER WITH OBJECT_ID = ''' + CONVERT(nvarchar(36), @objectId) + N'''');";
  return [
    'IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @name)',
    create,
    'IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @name AND sid = @sid)',
    'BEGIN',
    "  DECLARE @message nvarchar(2048) = N'Database user ' + QUOTENAME(@name) + N' exists " +
      'but belongs to another identity (its SID is not this client id). ' +
      "Drop it with DROP USER ' + QUOTENAME(@name) + N' and run grant:sql again.';",
    '  THROW 50001, @message, 1;',
    'END',
    ...APP_DATABASE_ROLES.map(
      (role) =>
        `IF IS_ROLEMEMBER(N'${role}', @name) = 0 OR IS_ROLEMEMBER(N'${role}', @name) IS NULL ` +
        `EXEC(N'ALTER ROLE ${role} ADD MEMBER ' + QUOTENAME(@name));`,
    ),
  ].join('\n');
}

/**
 * Reads the app identity from the outputs file `npm run tf -- outputs` (or apply) writes:
 * `{ "platform-<env>": { "app_identity_name", "app_identity_client_id", "app_identity_principal_id" } }`.
 */
export function appIdentityFromOutputs(json: unknown, environment: string, source: string): AppIdentity {
  const stackName = `platform-${environment}`;
  const stack = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[stackName] : undefined;
  if (typeof stack !== 'object' || stack === null)
    throw new UsageError(`${source} has no outputs for stack "${stackName}"; run: npm run tf -- outputs --env ${environment}.`);
  const read = (key: string, pattern: RegExp, what: string): string => {
    const value = (stack as Record<string, unknown>)[key];
    if (typeof value !== 'string' || !pattern.test(value))
      throw new UsageError(`${source}: stack "${stackName}" output "${key}" must be ${what}; got ${JSON.stringify(value)}.`);
    return value;
  };
  return {
    name: read('app_identity_name', /^[A-Za-z0-9][A-Za-z0-9_-]{1,127}$/, 'the identity name'),
    clientId: read('app_identity_client_id', GUID, 'a GUID'),
    principalId: read('app_identity_principal_id', GUID, 'a GUID'),
  };
}

const FLAGS = {
  env: 'environment: dev or prod',
  'infra-outputs': 'outputs JSON of the platform stack (default cdktf.out/outputs-<env>.json, from npm run tf -- outputs)',
  lookup: 'sid (default: no directory lookup) or entra (FROM EXTERNAL PROVIDER WITH OBJECT_ID)',
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    process.stdout.write(usage('npm run grant:sql -- --env <env> [options]', FLAGS));
    return;
  }
  const all = environments();
  const name = oneOf(
    'env',
    args.env,
    all.map((e) => e.name),
  );
  const config = all.find((e) => e.name === name)!;
  const lookup: string = args.lookup ?? 'sid';
  if (lookup !== 'sid' && lookup !== 'entra') throw new UsageError(`--lookup must be sid or entra; got ${JSON.stringify(args.lookup)}.`);
  const file = args['infra-outputs'] ?? `cdktf.out/outputs-${config.name}.json`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new UsageError(`--infra-outputs: cannot read JSON from ${JSON.stringify(file)}; run: npm run tf -- outputs --env ${config.name}.`);
  }
  const identity = appIdentityFromOutputs(json, config.name, file);
  const pool = await new sql.ConnectionPool({
    server: `${config.data.sqlServerName}.database.windows.net`,
    database: config.data.databaseName,
    options: { encrypt: true, trustServerCertificate: false },
    authentication: { type: 'azure-active-directory-default', options: {} },
  }).connect();
  try {
    await pool
      .request()
      .input('name', sql.NVarChar(128), identity.name)
      .input('sid', sql.VarBinary(16), entraSid(identity.clientId))
      .input('objectId', sql.UniqueIdentifier, identity.principalId)
      .query(grantAppAccessBatch(lookup));
    process.stdout.write(
      `${identity.name} (client id ${identity.clientId}) can now sign in to ${config.data.databaseName} ` +
        `with roles ${APP_DATABASE_ROLES.join(', ')}.\n`,
    );
  } finally {
    await pool.close();
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`grant:sql: ${err.message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
