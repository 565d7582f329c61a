import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppContract } from '../app-contract';
import { redactUrl } from '../logger';

const ID_RE = /^[\w-]{1,64}$/;
/** Probe and scrape paths are not logged (they arrive every few seconds). */
const QUIET = new Set<string>([AppContract.paths.liveness, AppContract.paths.readiness, AppContract.paths.metrics]);

/**
 * Gives every request an id (the caller's `X-Request-Id` when well-formed), returns it in
 * the response, and logs one JSON line when the response is sent: method, URL (OAuth codes and card-like
 * digit runs redacted), status and duration. Headers, cookies and bodies are never logged.
 * Leaner than pino-http, which builds a child logger per request.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && ID_RE.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    if (QUIET.has(req.path)) return next();
    const start = performance.now();
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : 499;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id, method: req.method, url: redactUrl(req.originalUrl), remoteAddress: req.ip },
          res: { statusCode: status },
          responseTime: Math.round((performance.now() - start) * 10) / 10,
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    });
    next();
  };
}
