import type { IncomingMessage } from 'node:http';

/**
 * The route pattern that answered a request, e.g. `/api/orders/:dateUuid/:userId`, or
 * undefined when none matched (a 404, or before routing). Metrics and traces name requests by
 * it, never by the raw URL, which would hold ids and query strings.
 */
export function matchedRoute(req: IncomingMessage): string | undefined {
  const { route, baseUrl } = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
  return route ? `${baseUrl ?? ''}${String(route.path)}` : undefined;
}
