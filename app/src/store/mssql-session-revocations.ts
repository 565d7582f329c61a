import sql from 'mssql';
import { checkSessionId, MAX_SESSION_ID_LENGTH, type SessionRevocations } from './session-revocations';

/**
 * Creates the table when missing, under the same application lock as the order store's
 * migration, so replicas starting together do not race to create it. Session ids are
 * case-sensitive tokens: a binary collation, not the database's (usually case-insensitive) one.
 */
export const MSSQL_REVOCATIONS_MIGRATION = `
SET XACT_ABORT ON;
BEGIN TRANSACTION;
EXEC sp_getapplock @Resource = N'order-app-migrate', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 60000;
IF OBJECT_ID(N'dbo.revoked_sessions', N'U') IS NULL
  CREATE TABLE dbo.revoked_sessions (
    session_id VARCHAR(${MAX_SESSION_ID_LENGTH}) COLLATE Latin1_General_BIN2 NOT NULL CONSTRAINT PK_revoked_sessions PRIMARY KEY,
    expires_at DATETIME2(0) NOT NULL
  );
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_revoked_sessions_expires_at' AND object_id = OBJECT_ID(N'dbo.revoked_sessions'))
  CREATE INDEX IX_revoked_sessions_expires_at ON dbo.revoked_sessions (expires_at);
COMMIT TRANSACTION;`;

// Insert unless present (the key-range lock makes two concurrent sign-outs of one session
// wait for each other instead of one failing on the primary key), then purge a few expired rows.
const REVOKE_SQL = `
SET XACT_ABORT ON;
BEGIN TRANSACTION;
IF NOT EXISTS (SELECT 1 FROM dbo.revoked_sessions WITH (UPDLOCK, HOLDLOCK) WHERE session_id = @sessionId)
  INSERT INTO dbo.revoked_sessions (session_id, expires_at) VALUES (@sessionId, @expiresAt);
COMMIT TRANSACTION;
DELETE TOP (500) FROM dbo.revoked_sessions WHERE expires_at < @now;`;

const IS_REVOKED_SQL = 'SELECT CASE WHEN EXISTS (SELECT 1 FROM dbo.revoked_sessions WHERE session_id = @sessionId) THEN 1 ELSE 0 END AS revoked';

/**
 * Signed-out sessions in SQL Server / Azure SQL, on the order store's pool (`connected`)
 * with its retry of transient faults (`retry`; every statement here is idempotent).
 */
export class MssqlSessionRevocations implements SessionRevocations {
  constructor(
    private readonly connected: () => Promise<sql.ConnectionPool>,
    private readonly retry: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  async migrate(): Promise<void> {
    await this.retry(async () => (await this.connected()).request().batch(MSSQL_REVOCATIONS_MIGRATION));
  }

  async revoke(sessionId: string, expiresAt: Date): Promise<void> {
    checkSessionId(sessionId);
    await this.retry(async () =>
      (await this.connected())
        .request()
        .input('sessionId', sql.VarChar(MAX_SESSION_ID_LENGTH), sessionId)
        .input('expiresAt', sql.DateTime2(0), expiresAt)
        .input('now', sql.DateTime2(0), new Date())
        .query(REVOKE_SQL),
    );
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    checkSessionId(sessionId);
    const result = await this.retry(async () =>
      (await this.connected()).request().input('sessionId', sql.VarChar(MAX_SESSION_ID_LENGTH), sessionId).query(IS_REVOKED_SQL),
    );
    return Number((result.recordset[0] as { revoked: number }).revoked) === 1;
  }
}
