import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers, computed once. Helmet runs a dozen middleware functions per request to
 * set the same static headers; here it runs once against a recording response at start-up,
 * and each request gets the recorded headers in one step. Only valid while every option is
 * static (no per-request nonces or functions), which `createApp` guarantees.
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => void headers.push([name, String(value)]),
    removeHeader: (name: string) => void removed.push(name),
  };
  // Set inside helmet's callback: TypeScript cannot see that, hence the widened type.
  let called = false as boolean;
  helmet(options)({} as never, recorder as never, () => {
    called = true;
  });
  if (!called) throw new Error('helmet did not finish synchronously; cannot precompute security headers');
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
