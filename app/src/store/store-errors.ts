/**
 * The database cannot take the request now (locked, unreachable, its file gone). The message
 * is safe to show to a client; the app answers 503 with `Retry-After`.
 */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    /** Why, for `/readyz` and the logs (may name settings and paths; never shown to clients). */
    public readonly reason: string = message,
    /** Seconds a client should wait before trying again. @default 5 */
    public readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The store cannot be opened as configured. The message names the setting and what is expected. */
export class StoreSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreSetupError';
  }
}
