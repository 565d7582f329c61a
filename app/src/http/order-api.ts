import { Router, type RequestHandler } from 'express';
import { pageLinks, parseListParams } from '../domain/list-params';
import { toPublicOrder } from '../domain/order';
import { validateOrder } from '../domain/order-validation';
import { currentUser, type Auth } from '../auth/auth';
import { DuplicateOrderError, type OrderService } from '../service/order-service';
import { jsonBody } from './body';
import { sameOriginOnly } from './csrf';
import { HttpError } from './http-error';

export interface OrderApiDeps {
  readonly service: OrderService;
  readonly writeLimiter: RequestHandler;
  readonly now: () => Date;
  /** Sign-in: viewers may read, editors may also create. */
  readonly auth: Auth;
}

const orderPath = (o: { dateUuid: string; userId: string }): string =>
  `/api/orders/${encodeURIComponent(o.dateUuid)}/${encodeURIComponent(o.userId)}`;

/** JSON API: list, create, read. Errors are `application/problem+json` (see the error handler). */
export function orderApi(deps: OrderApiDeps): Router {
  const router = Router();
  const { service, auth } = deps;
  const viewer = auth.require('viewer');

  router.get('/api/orders', viewer, async (req, res) => {
    const parsed = parseListParams(req.query as Record<string, unknown>);
    if (!parsed.ok) throw new HttpError(400, 'Invalid list request', 'One or more query parameters are invalid.', parsed.errors);
    const page = await service.list(parsed.value);
    const links = pageLinks(parsed.value, page);
    const api = (href: string | undefined): string | null => (href ? `/api/orders${href.slice(1)}` : null);
    res.json({
      items: page.items.map(toPublicOrder),
      page: page.page,
      size: page.size,
      offset: page.offset,
      totalItems: page.totalItems,
      totalExact: page.totalExact,
      totalPages: page.totalPages,
      links: { first: api(links.first), previous: api(links.previous), next: api(links.next), last: api(links.last) },
      sort: parsed.value.sort,
      filter: parsed.value.filter,
    });
  });

  router.post('/api/orders', auth.require('editor'), deps.writeLimiter, sameOriginOnly, ...jsonBody, async (req, res) => {
    const result = validateOrder(req.body, 'json', deps.now());
    if (!result.ok) throw new HttpError(422, 'Invalid order', 'The order has invalid or missing fields.', result.errors as Record<string, string>);
    try {
      const order = await service.create(result.value, currentUser(res)?.id);
      res.status(201).location(orderPath(order)).json(toPublicOrder(order));
    } catch (err) {
      if (err instanceof DuplicateOrderError) {
        throw new HttpError(409, 'Duplicate order', 'An order with this Date UUID and User ID already exists; nothing was changed.', {
          dateUuid: 'Already used by an order of this user.',
        });
      }
      throw err;
    }
  });

  router.get('/api/orders/:dateUuid/:userId', viewer, async (req, res) => {
    const { dateUuid, userId } = req.params as { dateUuid: string; userId: string };
    const order = await service.get(dateUuid, userId);
    if (!order) throw new HttpError(404, 'Not found', 'No order has this Date UUID and User ID.');
    const createdBy = await service.creatorOf(order.dateUuid, order.userId);
    res.json({ ...toPublicOrder(order), ...(createdBy ? { createdBy } : {}) });
  });

  return router;
}
