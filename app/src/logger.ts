import pino, { type DestinationStream, type Logger } from 'pino';
import { traceContext } from './tracing/trace-context';

/**
 * What may stand between the digit groups of a typed card number: any character that is
 * neither a letter nor a digit (space, `+`, `-`, `.`, `_`, `,`, `/`, zero-width and other
 * invisible characters...), raw or percent-encoded.
 */
const SEPARATOR = String.raw`(?:%[0-9a-fA-F]{2}|[^\p{L}\p{N}])`;
/** Digits with up to eight separators between any two (a bound, so the scan stays linear). */
const DIGIT_RUN = new RegExp(String.raw`\d(?:${SEPARATOR}{0,8}\d)*`, 'gu');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/** 13-19 digits, or a longer run holding 13-19 consecutive digits that pass the card checksum. */
function mayHoldCardNumber(digits: string): boolean {
  if (digits.length < 13) return false;
  if (digits.length <= 19) return true;
  for (let length = 13; length <= 19; length++) {
    for (let start = 0; start + length <= digits.length; start++) if (luhn(digits.slice(start, start + length))) return true;
  }
  return false;
}

/**
 * Replaces runs of digits that could be a card number, however the groups are separated
 * (up to eight characters that are not letters or digits, raw or percent-encoded). UUIDs are
 * left alone: their digit groups are never a typed card number.
 */
export function redactCardNumbers(text: string): string {
  const redactRuns = (part: string): string =>
    part.replace(DIGIT_RUN, (run) => (mayHoldCardNumber(run.replace(/%[0-9a-fA-F]{2}|\D/g, '')) ? '[redacted-digits]' : run));
  let out = '';
  let last = 0;
  for (const m of text.matchAll(UUID)) {
    out += redactRuns(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + redactRuns(text.slice(last));
}

/** Query parameters of the sign-in callback (and OAuth in general) that are credentials. */
const SECRET_PARAMS = new Set(['code', 'state', 'session_state', 'id_token', 'access_token', 'refresh_token']);

function decode(component: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? component.replace(/\+/g, ' ') : component);
  } catch {
    return component;
  }
}

/** One path segment or query key or value, as logged: redacted after decoding, so encoded digits do not slip through. */
function redactComponent(raw: string, plusIsSpace: boolean): string {
  const decoded = decode(raw, plusIsSpace);
  const clean = redactCardNumbers(decoded);
  if (clean === decoded) return redactCardNumbers(raw);
  return encodeURIComponent(clean).replace(/%5Bredacted-digits%5D/g, '[redacted-digits]');
}

/**
 * A request URL as it may be logged: card-like digit runs redacted in the path and the
 * query (after decoding them, `+` and `%20` included), and the values of OAuth parameters
 * (`code`, `state`, tokens) replaced on every path, whatever its spelling.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  // Segment by segment (after decoding each), then across segments: `/` may separate digit groups too.
  const loggedPath = redactCardNumbers(
    path
      .split('/')
      .map((segment) => redactComponent(segment, false))
      .join('/'),
  );
  if (q === -1) return loggedPath;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return redactComponent(pair, true);
      const key = pair.slice(0, eq);
      if (SECRET_PARAMS.has(decode(key, true).toLowerCase())) return `${redactComponent(key, true)}=[redacted]`;
      return `${redactComponent(key, true)}=${redactComponent(pair.slice(eq + 1), true)}`;
    })
    .join('&');
  return `${loggedPath}?${query}`;
}

/**
 * Free text that may quote a URL (an error message): card-like digit runs and OAuth
 * parameter values redacted.
 */
export function redactLogText(text: string): string {
  return redactCardNumbers(text).replace(/\b(code|state|session_state|id_token|access_token|refresh_token)=[^&\s"'<>]*/gi, '$1=[redacted]');
}

/** An error as it may be logged: name, code, and message and stack through `redactLogText`. */
export function redactError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: redactLogText(String(err)) };
  const { code } = err as { code?: unknown };
  return {
    type: err.name,
    message: redactLogText(err.message),
    ...(err.stack ? { stack: redactLogText(err.stack) } : {}),
    ...(code !== undefined ? { code } : {}),
  };
}

/**
 * JSON logger. Cookies, authorization headers and bodies are never logged; URLs have
 * anything that looks like a card number redacted. A line written inside a traced request
 * carries its `trace_id` and `span_id` (see `traceContext`), so logs and traces join.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'order-app' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceContext,
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.cardNumber'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
