/**
 * Sessions that were signed out before their cookie expired, kept in the database every
 * replica shares, so a signed-out cookie is refused by all of them. Each store opens one
 * on its own connection (`OrderStore.sessionRevocations`).
 */
export interface SessionRevocations {
  /** Creates the table when missing. Safe to run on every start and from several replicas. */
  migrate(): Promise<void>;
  /**
   * Records `sessionId` as signed out until `expiresAt` (the cookie's own expiry, after
   * which the row may be purged). Revoking twice is harmless. Purges some expired rows.
   */
  revoke(sessionId: string, expiresAt: Date): Promise<void>;
  /** True when `sessionId` was revoked (and its row not yet purged). Throws when the database cannot answer. */
  isRevoked(sessionId: string): Promise<boolean>;
}

/** Longest session id a store accepts (the app issues 22 characters). */
export const MAX_SESSION_ID_LENGTH = 64;

/** Refuses ids a store could not hold, before any SQL runs. */
export function checkSessionId(sessionId: string): void {
  if (sessionId.length === 0 || sessionId.length > MAX_SESSION_ID_LENGTH) {
    throw new Error(`a session id must be 1 to ${MAX_SESSION_ID_LENGTH} characters; got ${sessionId.length}`);
  }
}
