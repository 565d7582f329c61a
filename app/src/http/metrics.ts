import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { matchedRoute } from './matched-route';

/** The app's Prometheus metrics, in a registry of their own (one per app instance). */
export class AppMetrics {
  public readonly registry = new Registry();
  public readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  public readonly ordersCreated = new Counter({ name: 'orders_created_total', help: 'Orders created.', registers: [this.registry] });
  public readonly listPages = new Counter({
    name: 'list_pages_total',
    help: 'Order List pages served, by whether the rendered page was reused (hit) or rendered (miss).',
    labelNames: ['cache'] as const,
    registers: [this.registry],
  });
  public readonly dbErrors = new Counter({
    name: 'db_errors_total',
    help: 'Database operations that failed, by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Times every request; the route label is the matched route pattern, never the raw URL. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.on('finish', () => {
        end({ method: req.method, route: matchedRoute(req) ?? 'unmatched', status: String(res.statusCode) });
      });
      next();
    };
  }
}
