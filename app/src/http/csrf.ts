import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from './http-error';

/** Cookie and form field that carry the CSRF token. */
export const CSRF_COOKIE = 'order_csrf';
export const CSRF_FIELD = '_csrf';
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** A request cookie's value, URL-decoded; `undefined` when absent or malformed (never throws). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined; // malformed escapes: not a cookie this app set
      }
    }
  }
  return undefined;
}

/**
 * Returns the client's CSRF token, issuing a new one in a cookie when it has none
 * (double-submit: the form must send back the value of its own cookie, which a
 * cross-site page can neither read nor set).
 */
export function issueCsrfToken(req: Request, res: Response): string {
  // One token per response: the form and the header's sign-out form must carry the same one.
  const issued = res.locals.csrfToken as string | undefined;
  if (issued) return issued;
  const existing = readCookie(req, CSRF_COOKIE);
  if (existing && TOKEN_RE.test(existing)) return (res.locals.csrfToken = existing);
  const token = crypto.randomBytes(32).toString('base64url');
  res.cookie(CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
  return (res.locals.csrfToken = token);
}

/**
 * Refuses cross-site writes: a browser's `Sec-Fetch-Site` must say same-origin (or be
 * absent, as from non-browser clients), and an `Origin` header must name this host.
 */
export const sameOriginOnly: RequestHandler = (req, _res, next) => {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return next(new HttpError(403, 'Forbidden', 'Cross-site requests cannot change orders.'));
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    const host = URL.canParse(origin) ? new URL(origin).host : undefined;
    if (host !== req.headers.host) return next(new HttpError(403, 'Forbidden', 'Cross-origin requests cannot change orders.'));
  } else if (origin === 'null') {
    return next(new HttpError(403, 'Forbidden', 'Requests from an opaque origin cannot change orders.'));
  }
  next();
};

/** Checks the form's token against the cookie (after the body is parsed). */
export const verifyCsrfToken: RequestHandler = (req, _res, next) => {
  const cookie = readCookie(req, CSRF_COOKIE);
  const field = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  const ok =
    // Stryker disable next-line ConditionalExpression: without it TOKEN_RE.test(undefined) is false too; it is there for the type
    typeof cookie === 'string' &&
    typeof field === 'string' &&
    TOKEN_RE.test(cookie) &&
    cookie.length === field.length &&
    crypto.timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
  if (!ok) {
    return next(
      new HttpError(403, 'Form expired', 'This form has expired or was not sent from this site. Please reload the form and submit it again.'),
    );
  }
  next();
};
