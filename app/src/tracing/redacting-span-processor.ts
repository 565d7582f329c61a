import type { AttributeValue } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { redactLogText, redactUrl } from '../logger';

/** Attributes holding a whole URL: scheme and host are kept, path and query redacted like a logged URL. */
const FULL_URL_KEYS = new Set(['url.full', 'http.url']);
/** Attributes holding a path with its query (`/orders?user=...`), or one of the two. */
const PATH_KEYS = new Set(['http.target', 'url.path']);
const QUERY_KEYS = new Set(['url.query']);
/**
 * Addresses and host names: a host and port such as `192.168.100.200:8080` has as many digits
 * as a card number, and none of these ever holds what a user typed into a form.
 */
const ADDRESS_KEYS = new Set([
  'http.host',
  'net.host.name',
  'net.peer.name',
  'net.peer.ip',
  'server.address',
  'client.address',
  'network.peer.address',
  'network.local.address',
]);

function redactFullUrl(value: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(.*)$/is.exec(value);
  return m ? m[1]! + redactUrl(m[2]!) : redactUrl(value);
}

/** One attribute value as it may leave the process. */
export function redactAttribute(key: string, value: string): string {
  if (ADDRESS_KEYS.has(key)) return value;
  if (FULL_URL_KEYS.has(key)) return redactFullUrl(value);
  if (PATH_KEYS.has(key)) return redactUrl(value);
  if (QUERY_KEYS.has(key)) return redactUrl(`?${value}`).slice(1);
  return redactLogText(value);
}

function redactValue(key: string, value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === 'string') return redactAttribute(key, value);
  if (Array.isArray(value)) return value.map((v: unknown) => (typeof v === 'string' ? redactAttribute(key, v) : v)) as AttributeValue;
  return value;
}

/**
 * The last word on what a span may carry out of the process: as each span ends (before any
 * exporter sees it), card-like digit runs and OAuth codes are redacted from its name, status
 * message, attributes and event attributes (exception messages), with the rules of the request
 * log (`redactUrl`, `redactLogText`). What the app itself puts on spans holds no order data;
 * this catches what instrumentations copy from requests: URLs with their query strings.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    const name = redactLogText(span.name);
    if (name !== span.name) span.updateName(name);
    if (span.status.message) {
      const message = redactLogText(span.status.message);
      if (message !== span.status.message) span.setStatus({ ...span.status, message });
    }
    for (const [key, value] of Object.entries(span.attributes)) {
      const clean = redactValue(key, value);
      if (clean !== value && clean !== undefined) span.setAttribute(key, clean);
    }
    // Events cannot be changed through the API once added; their attribute objects are the span's own.
    for (const event of span.events) {
      if (!event.attributes) continue;
      for (const [key, value] of Object.entries(event.attributes)) event.attributes[key] = redactValue(key, value);
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
