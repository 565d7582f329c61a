import express, { type RequestHandler } from 'express';
import { HttpError } from './http-error';

/** Largest request body accepted, for forms and JSON alike. */
export const BODY_LIMIT = '100kb';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new HttpError(400, 'Bad request', `The ${what} is not valid UTF-8.`);
  }
}

/**
 * Strict `application/x-www-form-urlencoded` parser: every key once, percent-escapes that
 * decode to valid UTF-8, nothing else. Express's parsers silently replace broken bytes.
 */
export function parseUrlEncoded(body: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (body === '') return out;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const [rawKey, rawValue] = eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    const decode = (s: string): string => {
      const plus = s.replace(/\+/g, ' ');
      if (/%(?![0-9a-fA-F]{2})/.test(plus)) throw new HttpError(400, 'Bad request', 'The form data has a malformed percent-escape.');
      const bytes: number[] = [];
      for (let i = 0; i < plus.length; i++) {
        const c = plus.charCodeAt(i);
        if (c === 37) {
          bytes.push(parseInt(plus.slice(i + 1, i + 3), 16));
          i += 2;
        } else if (c < 128) {
          bytes.push(c);
        } else {
          bytes.push(...Buffer.from(plus[i]!, 'utf8'));
        }
      }
      return decodeUtf8(Uint8Array.from(bytes), 'form data');
    };
    const key = decode(rawKey);
    if (key in out) throw new HttpError(400, 'Bad request', `Form field "${key.slice(0, 40)}" was sent more than once.`);
    out[key] = decode(rawValue);
  }
  return out;
}

type Container = { kind: 'object'; keys: Set<string>; key?: string; expectKey: boolean } | { kind: 'array'; index: number };

/**
 * The first key that appears twice in one object of a JSON text, with its path
 * (`$.a[1].b`); undefined when there is none. `JSON.parse` keeps the last value silently.
 * `text` must be valid JSON (parse it first): only strings and brackets are looked at.
 */
export function findDuplicateJsonKey(text: string): { key: string; path: string } | undefined {
  const stack: Container[] = [];
  const path = (): string =>
    stack
      .map((c) => (c.kind === 'array' ? `[${c.index}]` : /^[A-Za-z_$][\w$]*$/.test(c.key ?? '') ? `.${c.key}` : `[${JSON.stringify(c.key)}]`))
      .join('');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        top.key = key;
        top.expectKey = false;
        if (top.keys.has(key)) return { key, path: `$${path()}` };
        top.keys.add(key);
      }
      i = end;
    } else if (c === '{') {
      stack.push({ kind: 'object', keys: new Set(), expectKey: true });
    } else if (c === '[') {
      stack.push({ kind: 'array', index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top) {
      if (top.kind === 'object') top.expectKey = true;
      else top.index++;
    }
  }
  return undefined;
}

const raw = express.raw({ type: () => true, limit: BODY_LIMIT });

function requireType(type: string): RequestHandler {
  return (req, _res, next) => {
    const contentType = req.headers['content-type'] ?? '';
    if (!req.is(type)) {
      return next(
        new HttpError(415, 'Unsupported media type', `The request body must be ${type}${contentType ? `, not ${contentType.slice(0, 60)}` : ''}.`),
      );
    }
    const charset = /charset=([^;]+)/i.exec(contentType)?.[1]?.trim().replace(/"/g, '').toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      return next(new HttpError(415, 'Unsupported media type', `The request body must be UTF-8, not ${charset.slice(0, 30)}.`));
    }
    next();
  };
}

/** Reads a form body into `req.body` (a plain object of strings). */
export const formBody: RequestHandler[] = [
  requireType('application/x-www-form-urlencoded'),
  raw,
  (req, _res, next) => {
    req.body = parseUrlEncoded(decodeUtf8(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), 'form data'));
    next();
  },
];

/** Reads a JSON body into `req.body`. */
export const jsonBody: RequestHandler[] = [
  requireType('application/json'),
  raw,
  (req, _res, next) => {
    const text = decodeUtf8(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), 'JSON body');
    try {
      req.body = JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(400, 'Bad request', 'The request body is not valid JSON.');
    }
    // Form fields sent twice are refused too (parseUrlEncoded): the last one must not win silently.
    const duplicate = findDuplicateJsonKey(text);
    if (duplicate) {
      throw new HttpError(
        400,
        'Bad request',
        `The JSON body has the key ${JSON.stringify(duplicate.key.slice(0, 40))} more than once in the same object ` +
          `(at ${duplicate.path.slice(0, 200)}).`,
      );
    }
    next();
  },
];
