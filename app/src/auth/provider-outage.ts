/** Socket and DNS failures (Node's and undici's codes): the provider could not be reached. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * True when an error from `openid-client` means the provider is down or overloaded (no
 * connection, a timeout, a 5xx or 429 answer) rather than that its answer was wrong (bad
 * state, bad token, an OAuth error such as invalid_grant). Follows the `cause` chain:
 * openid-client wraps an unexpected HTTP status with the `Response` as the cause.
 */
export function isProviderOutage(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < 6; depth++) {
    const x = e as { name?: unknown; message?: unknown; code?: unknown; status?: unknown; cause?: unknown };
    if (x.name === 'TimeoutError' || x.name === 'AbortError') return true;
    if (typeof x.code === 'string' && NETWORK_CODES.has(x.code)) return true;
    if (typeof x.status === 'number') return x.status >= 500 || x.status === 429;
    // undici reports every network failure as `TypeError: fetch failed` with the socket error as its cause.
    if (x.name === 'TypeError' && x.message === 'fetch failed') return true;
    e = x.cause;
  }
  return false;
}
