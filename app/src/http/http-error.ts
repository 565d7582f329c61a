/** An error with an HTTP status and a message safe to show to the client. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly title: string,
    public readonly detail: string,
    /** Per-field messages (validation). */
    public readonly errors?: Record<string, string>,
    public readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}

/** The database did not answer; the client may retry (after `retryAfterSeconds`). */
export class ServiceUnavailableError extends HttpError {
  constructor(detail = 'The order database is not reachable right now. Please try again in a moment.', retryAfterSeconds = 5) {
    super(503, 'Service unavailable', detail, undefined, { 'Retry-After': String(retryAfterSeconds) });
  }
}
