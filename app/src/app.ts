import path from 'node:path';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { AppContract } from './app-contract';
import { settings } from './config';
import { noAuth, type Auth } from './auth/auth';
import { HttpError, ServiceUnavailableError } from './http/http-error';
import type { AppMetrics } from './http/metrics';
import { orderApi } from './http/order-api';
import { orderPages } from './http/order-pages';
import { requestBodyLimit } from './http/request-body-limit';
import { requestLog } from './http/request-log';
import { securityHeaders } from './http/security-headers';
import type { Readiness } from './http/readiness';
import { PageTooDeepError, type OrderService } from './service/order-service';
import { StoreUnavailableError } from './store/store-errors';
import { errorPage, notFoundPage } from './views/error-page';
import { redactError } from './logger';

export interface AppDeps {
  readonly service: OrderService;
  readonly readiness: Readiness;
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  /** Order submissions per client IP per minute. @default the `WRITE_RATE_LIMIT_PER_MINUTE` default in `settings` (30) */
  readonly writeRateLimitPerMinute?: number;
  /** Express `trust proxy`. @default the `TRUST_PROXY` default in `settings` (false) */
  readonly trustProxy?: false | number;
  /** Clock, for validation of "not in the future". @default () => new Date() */
  readonly now?: () => Date;
  /** Sign-in. @default noAuth() (everyone may do everything: local use) */
  readonly auth?: Auth;
  /** `Strict-Transport-Security` max-age for HTTPS requests; 0 sends none. @default the `HSTS_MAX_AGE_SECONDS` default in `settings` (0) */
  readonly hstsMaxAgeSeconds?: number;
  /**
   * Requests whose body is still arriving, at most; more get 503 (see `requestBodyLimit`).
   * @default the `MAX_CONCURRENT_REQUEST_BODIES` default in `settings` (64)
   */
  readonly maxConcurrentRequestBodies?: number;
  /** How long a rendered list page is reused while the orders stand still; 0: never. @default the `LIST_CACHE_MS` default in `settings` (1000) */
  readonly listCacheMs?: number;
}

/** Where static assets live: `app/public` next to `src` in development, `dist/public` in the image. */
export const PUBLIC_DIR = path.resolve(__dirname, '..', 'public');

const isApiRequest = (url: string): boolean => url.startsWith('/api/');

function problem(res: express.Response, err: HttpError): void {
  if (err.headers) res.set(err.headers);
  res
    .status(err.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: 'about:blank',
        title: err.title,
        status: err.status,
        detail: err.detail,
        ...(err.errors ? { errors: err.errors } : {}),
      }),
    );
}

/** Turns any thrown value into an `HttpError` a client may see. */
function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof PageTooDeepError)
    return new HttpError(400, 'Invalid list request', 'One or more query parameters are invalid.', { page: err.message });
  const e = err as { status?: number; statusCode?: number; type?: string; name?: string; code?: string };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const detail: Record<string, string> = {
      'entity.too.large': 'The request body is larger than 100 kB.',
      'request.aborted': 'The request was aborted before its body arrived.',
      'request.size.invalid': 'The request body is shorter or longer than its Content-Length.',
      'encoding.unsupported': 'The request body uses an unsupported Content-Encoding.',
      'charset.unsupported': 'The request body must be UTF-8.',
    };
    return new HttpError(status, status === 413 ? 'Payload too large' : 'Bad request', detail[e.type ?? ''] ?? 'The request could not be read.');
  }
  return undefined;
}

/** True for errors from the database layer (the client should retry, not see a bug). */
function isDatabaseError(err: unknown): boolean {
  const e = err as { code?: unknown; name?: string };
  return (
    (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) ||
    ['ConnectionError', 'RequestError', 'TransactionError', 'SqliteError'].includes(e.name ?? '')
  );
}

/**
 * Builds the Express app. It never listens (see `server.ts`), so tests drive it directly.
 */
export function createApp(deps: AppDeps): Express {
  const { service, readiness, metrics, logger } = deps;
  const now = deps.now ?? ((): Date => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? settings.trustProxy.default);
  app.set('query parser', 'simple');
  // Pages are dynamic and cheap to send; hashing every body for an ETag is not worth it.
  app.set('etag', false);

  const auth = deps.auth ?? noAuth();
  app.use(requestLog(logger));
  app.use(metrics.middleware());
  app.use(
    securityHeaders({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'", ...auth.formActionOrigins],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      // "no-referrer" (helmet's default) makes Chromium send `Origin: null` on same-origin
      // form posts, which the CSRF origin check must refuse.
      referrerPolicy: { policy: 'same-origin' },
      // Sent below, only over HTTPS and only when configured (helmet would send it always).
      strictTransportSecurity: false,
    }),
  );

  const hsts = deps.hstsMaxAgeSeconds ?? settings.hstsMaxAgeSeconds.default;
  if (hsts > 0) {
    // Only over HTTPS (behind the ingress, `trust proxy` makes req.secure follow X-Forwarded-Proto).
    app.use((req, res, next) => {
      if (req.secure) res.setHeader('Strict-Transport-Security', `max-age=${hsts}; includeSubDomains`);
      next();
    });
  }

  app.use(requestBodyLimit(deps.maxConcurrentRequestBodies ?? settings.maxConcurrentRequestBodies.default));

  app.get(AppContract.paths.liveness, (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(AppContract.paths.readiness, async (_req, res) => {
    const reason = await readiness.check();
    res.status(reason ? 503 : 200).json({ status: reason ? 'unavailable' : 'ready', ...(reason ? { reason } : {}) });
  });
  app.get(AppContract.paths.metrics, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use('/static', express.static(PUBLIC_DIR, { maxAge: '1h', index: false }));
  // Everything below shows orders, carries a CSRF token or is an error about them: never
  // kept by a browser or a shared cache (static assets above keep their caching).
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const writeLimiter = rateLimit({
    windowMs: 60_000,
    limit: deps.writeRateLimitPerMinute ?? settings.writeRateLimitPerMinute.default,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(
        new HttpError(429, 'Too many requests', 'Too many orders were submitted from your address. Please wait a minute and try again.', undefined, {
          'Retry-After': '60',
        }),
      ),
  });

  // Probes, metrics and static assets above need no sign-in; everything below does (when on).
  app.use(auth.router);
  app.use(auth.attachUser);
  app.use(orderApi({ service, writeLimiter, now, auth }));
  const listCache = {
    maxAgeMs: deps.listCacheMs ?? settings.listCacheMs.default,
    onLookup: (hit: boolean) => metrics.listPages.inc({ cache: hit ? 'hit' : 'miss' }),
  };
  app.use(orderPages({ service, writeLimiter, now, auth, listCache }));

  app.use((req, _res, next) => next(new HttpError(404, 'Not found', `There is no page at ${req.path.slice(0, 100)}.`)));

  const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
    let httpError = toHttpError(err);
    if (!httpError) {
      if (err instanceof StoreUnavailableError) {
        // A fault the store could describe (locked, file removed): its reason is logged, its message shown.
        metrics.dbErrors.inc({ operation: `${req.method} ${req.route ? String((req.route as { path: string }).path) : 'unmatched'}` });
        logger.warn({ reason: err.reason, reqId: res.locals.requestId }, 'database unavailable');
        httpError = new ServiceUnavailableError(err.message, err.retryAfterSeconds);
      } else if (isDatabaseError(err)) {
        metrics.dbErrors.inc({ operation: `${req.method} ${req.route ? String((req.route as { path: string }).path) : 'unmatched'}` });
        logger.error({ err: redactError(err), reqId: res.locals.requestId }, 'database error');
        httpError = new HttpError(
          503,
          'Service unavailable',
          'The order database is not available right now. Please try again in a moment.',
          undefined,
          { 'Retry-After': '5' },
        );
      } else {
        logger.error({ err: redactError(err), reqId: res.locals.requestId }, 'unhandled error');
        httpError = new HttpError(500, 'Internal error', 'Something went wrong on our side. The error was logged.');
      }
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (isApiRequest(req.originalUrl)) {
      problem(res, httpError);
      return;
    }
    if (httpError.headers) res.set(httpError.headers);
    const messages = httpError.errors ? Object.values(httpError.errors) : [httpError.detail];
    const page = httpError.status === 404 && !httpError.errors ? notFoundPage(req.path) : errorPage(httpError.title, messages);
    res.status(httpError.status).type('html').send(page.value);
  };
  app.use(errorHandler);
  return app;
}
