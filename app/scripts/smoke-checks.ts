import { randomUUID } from 'node:crypto';
import { AppContract } from '../src/app-contract';

/** One check's outcome. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

export interface SmokeOptions {
  /** Base URL of the deployed app, e.g. `http://10.0.2.50` or `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** How long to keep asking `/readyz` before giving up (a rollout may still be finishing). @default 120 */
  readonly readyTimeoutSeconds?: number;
  /** Per-request timeout. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Called as each check finishes (the CLI prints it). */
  readonly onResult?: (result: CheckResult) => void;
  /** Clock for the order dates. @default new Date() */
  readonly now?: Date;
}

/** A check that failed: the message says what was expected and what came back. */
class CheckFailed extends Error {}

/** A test card number (the well-known Visa test number); the app must only ever show its last four digits. */
const SMOKE_CARD = '4111111111111111';
const CARD_LIKE = /\b\d{13,19}\b/;

/**
 * The deploy's smoke test: connectivity, the list page, and an order created through the API
 * that is then readable and listed. Checks run in order and stop at the first failure (the
 * later ones depend on it). The order it creates belongs to a `smoke-` user so it can be
 * told apart from real ones.
 */
export async function runSmoke(options: SmokeOptions): Promise<CheckResult[]> {
  const base = new URL(options.baseUrl);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const results: CheckResult[] = [];
  const url = (path: string) => new URL(path, base).toString();
  const get = (path: string, accept = 'application/json') =>
    fetch(url(path), { headers: { accept }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });

  const check = async (name: string, body: () => Promise<string>): Promise<boolean> => {
    const start = performance.now();
    let result: CheckResult;
    try {
      result = { name, ok: true, detail: await body(), ms: Math.round(performance.now() - start) };
    } catch (err) {
      const detail = err instanceof CheckFailed ? err.message : `${(err as Error).name}: ${(err as Error).message}${causeOf(err)}`;
      result = { name, ok: false, detail, ms: Math.round(performance.now() - start) };
    }
    results.push(result);
    options.onResult?.(result);
    return result.ok;
  };
  const expectStatus = (res: Response, status: number, what: string) => {
    if (res.status !== status) throw new CheckFailed(`${what}: expected ${status}, got ${res.status}`);
  };

  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const order = {
    dateUuid: randomUUID(),
    userId: `smoke-${Date.now().toString(36)}`,
    cardNumber: SMOKE_CARD,
    storeCode: 'SMOKE-1',
    productCode: 'SMOKE-TEST',
    productQuantity: 1,
    orderDate: today,
    shippingDate: today,
  };
  let location = '';

  const steps: [string, () => Promise<string>][] = [
    [
      'connectivity: /readyz answers 200',
      async () => {
        const deadline = Date.now() + (options.readyTimeoutSeconds ?? 120) * 1000;
        let last = 'no answer';
        for (let attempt = 1; ; attempt++) {
          try {
            const res = await get(AppContract.paths.readiness);
            if (res.status === 200) return `ready after ${attempt} attempt${attempt === 1 ? '' : 's'}`;
            last = `status ${res.status}`;
          } catch (err) {
            last = `${(err as Error).message}${causeOf(err)}`;
          }
          if (Date.now() >= deadline) throw new CheckFailed(`not ready within ${options.readyTimeoutSeconds ?? 120} s (last: ${last})`);
          await new Promise((r) => setTimeout(r, Math.min(2000, 250 * attempt)));
        }
      },
    ],
    [
      'liveness: /healthz answers 200',
      async () => {
        expectStatus(await get(AppContract.paths.liveness), 200, 'GET /healthz');
        return 'alive';
      },
    ],
    [
      'list page: / renders the Order List',
      async () => {
        const res = await get('/', 'text/html');
        expectStatus(res, 200, 'GET /');
        const type = res.headers.get('content-type') ?? '';
        if (!type.startsWith('text/html')) throw new CheckFailed(`GET /: expected text/html, got ${type || 'no content type'}`);
        const html = await res.text();
        if (!html.includes('<h1>Order List</h1>')) throw new CheckFailed('GET /: the page has no "Order List" heading');
        if (CARD_LIKE.test(html)) throw new CheckFailed('GET /: the page shows a digit run that looks like an unmasked card number');
        return `${html.length} bytes of HTML`;
      },
    ],
    [
      'create: POST /api/orders answers 201 with a Location',
      async () => {
        const res = await fetch(url('/api/orders'), {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(order),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.status !== 201) throw new CheckFailed(`POST /api/orders: expected 201, got ${res.status}: ${(await res.text()).slice(0, 300)}`);
        location = res.headers.get('location') ?? '';
        if (!location) throw new CheckFailed('POST /api/orders: no Location header');
        return `created ${location}`;
      },
    ],
    [
      'read: the new order is readable, card masked',
      async () => {
        const res = await get(location);
        expectStatus(res, 200, `GET ${location}`);
        const body = (await res.json()) as Record<string, unknown>;
        for (const key of ['dateUuid', 'userId', 'storeCode', 'productCode', 'productQuantity', 'orderDate', 'shippingDate'] as const) {
          if (body[key] !== order[key])
            throw new CheckFailed(`GET ${location}: ${key} is ${JSON.stringify(body[key])}, expected ${JSON.stringify(order[key])}`);
        }
        if (String(body.cardNumber).includes(SMOKE_CARD) || !String(body.cardNumber).endsWith(SMOKE_CARD.slice(-4))) {
          throw new CheckFailed(`GET ${location}: card number should be masked to its last four digits, got ${JSON.stringify(body.cardNumber)}`);
        }
        return `card shown as ${String(body.cardNumber)}`;
      },
    ],
    [
      'listed: the API lists the new order for its user',
      async () => {
        const path = `/api/orders?userId=${encodeURIComponent(order.userId)}`;
        const res = await get(path);
        expectStatus(res, 200, `GET ${path}`);
        const body = (await res.json()) as { items?: { dateUuid: string }[] };
        if (!body.items?.some((o) => o.dateUuid === order.dateUuid)) throw new CheckFailed(`GET ${path}: the new order is not in the list`);
        return `${body.items.length} order(s) for ${order.userId}`;
      },
    ],
    [
      'list page: shows the new order',
      async () => {
        const path = `/?userId=${encodeURIComponent(order.userId)}`;
        const res = await get(path, 'text/html');
        expectStatus(res, 200, `GET ${path}`);
        const html = await res.text();
        if (!html.includes(order.dateUuid)) throw new CheckFailed(`GET ${path}: the page does not show order ${order.dateUuid}`);
        if (html.includes(SMOKE_CARD)) throw new CheckFailed(`GET ${path}: the page shows the card number unmasked`);
        return 'shown, card masked';
      },
    ],
  ];

  for (const [name, body] of steps) {
    if (!(await check(name, body))) {
      for (const [skipped] of steps.slice(results.length)) {
        const result = { name: skipped, ok: false, detail: 'skipped (an earlier check failed)', ms: 0 };
        results.push(result);
        options.onResult?.(result);
      }
      break;
    }
  }
  return results;
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause ? ` (${cause.code ?? cause.message ?? String(cause)})` : '';
}
