import crypto from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { listQueryString, parseListParams } from '../domain/list-params';
import { FORM_FIELD_NAMES, ORDER_FIELDS, type OrderField } from '../domain/order';
import { validateOrder, type FieldErrors } from '../domain/order-validation';
import { currentUser, headerUser, type Auth } from '../auth/auth';
import { DuplicateOrderError, type OrderService } from '../service/order-service';
import { orderFormPage } from '../views/order-form-page';
import { orderListContent, orderListPage, userCanAdd } from '../views/order-list-page';
import { SafeHtml } from '../views/html';
import { errorPage } from '../views/error-page';
import { formBody } from './body';
import { CSRF_FIELD, issueCsrfToken, sameOriginOnly, verifyCsrfToken } from './csrf';
import { streamCsv } from './csv';
import { PageCache, type PageCacheOptions } from './page-cache';

export interface OrderPagesDeps {
  readonly service: OrderService;
  readonly writeLimiter: RequestHandler;
  readonly now: () => Date;
  /** Sign-in: viewers may list and export, editors may also add. */
  readonly auth: Auth;
  /** Limits of the rendered list cache (see `PageCache`). @default PageCache's defaults (256 pages, 1 s) */
  readonly listCache?: PageCacheOptions;
}

/**
 * A kept list: the Order List below the header for signed-in users (each gets their own
 * header around it), or the whole page, already encoded, for requests without a user (no
 * sign-in configured), whose pages are the same for everyone.
 */
interface KeptList {
  readonly value: string;
  readonly bytes?: Buffer;
}

const FIELD_BY_FORM_NAME = new Map<string, OrderField>(ORDER_FIELDS.map((f) => [FORM_FIELD_NAMES[f], f]));

/** Maps the form's snake_case names to field names; anything unexpected is reported. */
function formToInput(body: Record<string, string>): { input: Record<string, string>; unknown: string[] } {
  const input: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    const field = FIELD_BY_FORM_NAME.get(name);
    if (field) input[field] = value;
    else if (name !== CSRF_FIELD) unknown.push(name);
  }
  return { input, unknown };
}

/** Server-rendered pages: Order List, Add New Order, CSV export. */
export function orderPages(deps: OrderPagesDeps): Router {
  const router = Router();
  const { service, auth } = deps;
  const viewer = auth.require('viewer');
  const editor = auth.require('editor');
  const listCache = new PageCache<KeptList>(deps.listCache);

  router.get('/', viewer, async (req, res) => {
    const parsed = parseListParams(req.query as Record<string, unknown>);
    if (!parsed.ok) {
      res
        .status(400)
        .type('html')
        .send(errorPage('Invalid list request', Object.values(parsed.errors)).value);
      return;
    }
    const params = parsed.value;
    const user = headerUser(req, res);
    const canAdd = userCanAdd(user);
    const createdUuid = typeof req.query.created === 'string' ? req.query.created : undefined;
    const createdUser = typeof req.query.user === 'string' ? req.query.user : undefined;
    if (createdUuid && createdUser) {
      // The confirmation after adding an order: rendered for this request only.
      const [result, created] = await Promise.all([service.list(params), service.get(createdUuid, createdUser)]);
      res.type('html').send(orderListPage({ user, content: orderListContent({ params, result, created, canAdd }) }).value);
      return;
    }
    // The token is read before the page's rows, so a kept page is never older than its token.
    const token = await service.changeToken();
    const kept = await listCache.get(`${user ? 'user' : 'anonymous'} ${canAdd ? 'add' : 'view'} ${JSON.stringify(params)}`, token, async () => {
      const content = orderListContent({ params, result: await service.list(params), canAdd });
      return user ? content : { value: content.value, bytes: Buffer.from(orderListPage({ content }).value) };
    });
    if (kept.bytes) res.type('html').send(kept.bytes);
    else res.type('html').send(orderListPage({ user, content: new SafeHtml(kept.value) }).value);
  });

  const showForm = (req: Request, res: Response): void => {
    const token = issueCsrfToken(req, res);
    res
      .type('html')
      .send(
        orderFormPage({ values: { dateUuid: crypto.randomUUID() }, errors: {}, csrfToken: token, now: deps.now(), user: headerUser(req, res) }).value,
      );
  };
  router.get('/orders/new', editor, showForm);
  router.get('/add_order', editor, (_req, res) => res.redirect(303, '/orders/new'));

  const submit: RequestHandler = async (req, res) => {
    const { input, unknown } = formToInput(req.body as Record<string, string>);
    const now = deps.now();
    const renderForm = (status: number, errors: FieldErrors, formError?: string): void => {
      const token = issueCsrfToken(req, res);
      res
        .status(status)
        .type('html')
        .send(orderFormPage({ values: input, errors, csrfToken: token, now, formError, user: headerUser(req, res) }).value);
    };
    const result = validateOrder(input, 'form', now);
    if (!result.ok || unknown.length > 0) {
      const errors: FieldErrors = result.ok ? {} : { ...result.errors };
      if (unknown.length > 0) errors.body = `Unknown form field${unknown.length > 1 ? 's' : ''}: ${unknown.slice(0, 5).join(', ')}.`;
      renderForm(422, errors);
      return;
    }
    try {
      const order = await service.create(result.value, currentUser(res)?.id);
      res.redirect(303, `/?${new URLSearchParams({ created: order.dateUuid, user: order.userId }).toString()}`);
    } catch (err) {
      if (!(err instanceof DuplicateOrderError)) throw err;
      renderForm(
        409,
        { dateUuid: 'This Date UUID is already used by an order of this user.' },
        'An order with this Date UUID and User ID already exists; nothing was changed.',
      );
    }
  };
  // `/add_order` is the original app's route, kept for compatibility. The role is checked
  // before the body is read, so a viewer's post stores nothing.
  for (const path of ['/orders', '/add_order']) router.post(path, editor, deps.writeLimiter, sameOriginOnly, ...formBody, verifyCsrfToken, submit);

  router.get('/orders.csv', viewer, async (req, res) => {
    const parsed = parseListParams(req.query as Record<string, unknown>);
    if (!parsed.ok) {
      res
        .status(400)
        .type('text/plain')
        .send(`${Object.values(parsed.errors).join('\n')}\n`);
      return;
    }
    const { filter, sort } = parsed.value;
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="orders${listQueryString({ ...parsed.value, page: 1 }) ? '-filtered' : ''}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    await streamCsv(res, service.stream(filter, sort));
  });

  return router;
}
