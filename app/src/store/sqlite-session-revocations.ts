import type Database from 'better-sqlite3';
import { checkSessionId, type SessionRevocations } from './session-revocations';

const MIGRATE_SQL = `CREATE TABLE IF NOT EXISTS revoked_sessions (session_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS revoked_sessions_expires_at ON revoked_sessions (expires_at);`;

/** How the order store runs statements: writes and reads that never wait for a lock on the event loop. */
type Runner = <T>(work: () => T) => Promise<T>;

/**
 * Signed-out sessions in the SQLite file (shared by every process that opens it). Times are
 * epoch seconds. Statements run through the order store's `write` and `read`, which retry a
 * held lock on timers instead of blocking the event loop.
 */
export class SqliteSessionRevocations implements SessionRevocations {
  constructor(
    private readonly db: Database.Database,
    private readonly write: Runner,
    private readonly read: Runner,
  ) {}

  async migrate(): Promise<void> {
    await this.write(() => this.db.exec(MIGRATE_SQL));
  }

  async revoke(sessionId: string, expiresAt: Date): Promise<void> {
    checkSessionId(sessionId);
    const now = Math.floor(Date.now() / 1000);
    await this.write(() =>
      this.db
        .transaction(() => {
          this.db
            .prepare(
              'INSERT INTO revoked_sessions (session_id, expires_at) VALUES (?, ?) ' +
                'ON CONFLICT (session_id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)',
            )
            .run(sessionId, Math.ceil(expiresAt.getTime() / 1000));
          // Past its expiry the cookie is refused by its own signed expiry: the row is no longer needed.
          this.db.prepare('DELETE FROM revoked_sessions WHERE rowid IN (SELECT rowid FROM revoked_sessions WHERE expires_at < ? LIMIT 500)').run(now);
        })
        .immediate(),
    );
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    checkSessionId(sessionId);
    return (await this.read(() => this.db.prepare('SELECT 1 FROM revoked_sessions WHERE session_id = ?').get(sessionId))) !== undefined;
  }
}
