import Database from 'better-sqlite3';
import { AppContract } from '../src/app-contract';
import { PENDING_COOKIE, SESSION_COOKIE } from '../src/auth/auth';
import { SignedCookieCodec } from '../src/auth/signed-cookie';
import { validOrder } from './helpers';
import { Agent, startSignInStack, type SignInStack } from './oidc-helpers';

// The whole sign-in flow against a real OpenID Connect provider (oidc-provider) in its own
// process, with the app in its own process: discovery, authorization code with PKCE, ID
// token validation by openid-client, role mapping, sessions, sign-out.

let stack: SignInStack;
beforeAll(async () => {
  stack = await startSignInStack();
}, 60_000);
afterAll(() => (stack as SignInStack | undefined)?.stop());

const ordersBy = (userId: string) => {
  const db = new Database(stack.sqlitePath, { readonly: true });
  try {
    return db.prepare('SELECT date_uuid AS dateUuid, created_by AS createdBy FROM orders WHERE [User ID] = ?').all(userId) as {
      dateUuid: string;
      createdBy: string | null;
    }[];
  } finally {
    db.close();
  }
};

test('a page asks for sign-in at the provider, with PKCE, state and nonce', async () => {
  const agent = new Agent();
  const first = await agent.fetch(`${stack.appUrl}/?page=2`);
  expect(first.status).toBe(302);
  expect(first.headers.get('location')).toBe(`${AppContract.auth.signIn}?returnTo=${encodeURIComponent('/?page=2')}`);
  const signIn = await agent.fetch(`${stack.appUrl}${first.headers.get('location')}`);
  const authorize = new URL(signIn.headers.get('location')!);
  expect(authorize.origin).toBe(stack.issuer);
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    client_id: 'order-app',
    response_type: 'code',
    redirect_uri: `${stack.appUrl}${AppContract.auth.callback}`,
    code_challenge_method: 'S256',
    scope: 'openid profile email',
  });
  for (const p of ['state', 'nonce', 'code_challenge']) expect(authorize.searchParams.get(p)).toMatch(/^[\w-]{20,}$/);
});

test('a viewer signs in, lands where they started, sees their name and role, and may read but not add', async () => {
  const agent = new Agent();
  const page = await agent.signIn(stack.appUrl, 'viewer', '/?size=10');
  expect(page.url).toBe(`${stack.appUrl}/?size=10`);
  expect(page.res.status).toBe(200);
  expect(page.body).toContain('Vera Viewer');
  expect(page.body).toContain('(viewer)');
  expect(page.body).not.toContain('Add New Order</a>');
  expect((await agent.fetch(`${stack.appUrl}/api/orders`)).status).toBe(200);
  expect((await agent.fetch(`${stack.appUrl}/orders.csv`)).status).toBe(200);

  const order = validOrder({ userId: 'viewer-attempt' });
  const post = await agent.fetch(`${stack.appUrl}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  expect(post.status).toBe(403);
  expect(((await post.json()) as { detail: string }).detail).toBe('Your role lets you view orders but not add them.');
  expect(ordersBy('viewer-attempt')).toEqual([]);
});

test('an editor signs in and adds an order, recorded as created by them', async () => {
  const agent = new Agent();
  const page = await agent.signIn(stack.appUrl, 'editor');
  expect(page.body).toContain('Eddie Editor');
  expect(page.body).toContain('(editor)');
  const order = validOrder({ userId: 'editor-order' });
  const post = await agent.fetch(`${stack.appUrl}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  expect(post.status).toBe(201);
  expect(ordersBy('editor-order')).toEqual([{ dateUuid: order.dateUuid, createdBy: 'editor@shop.example' }]);
});

test('a user without a role is refused with a clear page and gets no session', async () => {
  const agent = new Agent();
  const page = await agent.signIn(stack.appUrl, 'nobody');
  expect(page.res.status).toBe(403);
  expect(page.body).toContain('Your account (nobody@shop.example) has no role in this app. Ask an administrator for Orders.Viewer or Orders.Editor.');
  expect(agent.cookies(stack.appUrl).has(SESSION_COOKIE)).toBe(false);
});

test('a tampered or an expired session is rejected', async () => {
  const agent = new Agent();
  await agent.signIn(stack.appUrl, 'viewer');
  const jar = agent.cookies(stack.appUrl);
  const real = decodeURIComponent(jar.get(SESSION_COOKIE)!);
  const [payload, signature] = real.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  jar.set(SESSION_COOKIE, encodeURIComponent(`${Buffer.from(JSON.stringify({ ...claims, role: 'editor' })).toString('base64url')}.${signature}`));
  const tampered = await agent.fetch(`${stack.appUrl}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(validOrder({ userId: 'tampered' })),
  });
  expect(tampered.status).toBe(401);
  expect(ordersBy('tampered')).toEqual([]);

  const codec = new SignedCookieCodec(stack.sessionSecret);
  jar.set(
    SESSION_COOKIE,
    encodeURIComponent(codec.encode({ id: 'viewer@shop.example', name: 'Vera Viewer', role: 'viewer' }, Math.floor(Date.now() / 1000) - 5)),
  );
  const expired = await agent.fetch(`${stack.appUrl}/`);
  expect(expired.status).toBe(302);
  expect(expired.headers.get('location')).toMatch(/^\/auth\/sign-in/);
});

test("sign-out ends the app session and goes to the provider's end-session endpoint", async () => {
  const agent = new Agent();
  const page = await agent.signIn(stack.appUrl, 'editor');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const out = await agent.fetch(`${stack.appUrl}${AppContract.auth.signOut}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `_csrf=${token}`,
  });
  expect(out.status).toBe(303);
  const endSession = new URL(out.headers.get('location')!);
  expect(endSession.origin).toBe(stack.issuer);
  expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.appUrl}${AppContract.auth.signedOut}`);
  expect(agent.cookies(stack.appUrl).has(SESSION_COOKIE)).toBe(false);
  expect((await agent.fetch(`${stack.appUrl}/`)).status).toBe(302);
});

const csrfToken = (body: string): string => /name="_csrf" value="([^"]+)"/.exec(body)![1]!;
const signOut = (agent: Agent, token: string) =>
  agent.fetch(`${stack.appUrl}${AppContract.auth.signOut}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `_csrf=${token}`,
  });
const withSession = (base: string, session: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), cookie: `${SESSION_COOKIE}=${session}` },
  });
const postOrder = (base: string, session: string, userId: string) =>
  withSession(base, session, '/api/orders', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(validOrder({ userId })),
  });

test('after sign-out the old session cookie is refused by every replica and creates nothing; other sessions keep working', async () => {
  const agent = new Agent();
  const page = await agent.signIn(stack.appUrl, 'editor');
  const old = agent.cookies(stack.appUrl).get(SESSION_COOKIE)!;
  const other = new Agent();
  await other.signIn(stack.appUrl, 'editor');
  const otherSession = other.cookies(stack.appUrl).get(SESSION_COOKIE)!;
  expect((await signOut(agent, csrfToken(page.body))).status).toBe(303);

  const replica = await stack.startReplica();
  try {
    for (const [i, base] of [stack.appUrl, replica.url].entries()) {
      const home = await withSession(base, old, '/');
      expect(home.status).toBe(302);
      expect(home.headers.get('location')).toMatch(/^\/auth\/sign-in/);
      const api = await withSession(base, old, '/api/orders');
      expect(api.status).toBe(401);
      expect(((await api.json()) as { detail: string }).detail).toBe('This session was signed out. Sign in again to continue.');
      const post = await postOrder(base, old, `after-sign-out-${i}`);
      expect(post.status).toBe(401);
      expect(ordersBy(`after-sign-out-${i}`)).toEqual([]);

      expect((await withSession(base, otherSession, '/')).status).toBe(200);
      expect((await postOrder(base, otherSession, `other-session-${i}`)).status).toBe(201);
      expect(ordersBy(`other-session-${i}`)).toEqual([{ dateUuid: expect.any(String), createdBy: 'editor@shop.example' }]);
    }
  } finally {
    replica.stop();
  }
}, 60_000);

describe('the provider fails between login and callback', () => {
  afterEach(() => stack.providerOutage('none'));

  test.each(['close', '503'] as const)(
    'an outage (%s) is a 503 with Retry-After that keeps the pending sign-in; replaying the callback once it is back signs in',
    async (mode) => {
      const agent = new Agent();
      const callback = await agent.callbackUrl(stack.appUrl, 'editor');
      await stack.providerOutage(mode);
      const down = await agent.fetch(callback);
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('10');
      expect(await down.text()).toContain(
        'The sign-in service cannot be reached right now, so your sign-in could not be finished. Reload this page in a moment to finish signing in.',
      );
      expect(agent.cookies(stack.appUrl).has(PENDING_COOKIE)).toBe(true);
      expect(agent.cookies(stack.appUrl).has(SESSION_COOKIE)).toBe(false);

      await stack.providerOutage('none');
      const back = await agent.follow(callback);
      expect(back.res.status).toBe(200);
      expect(back.body).toContain('Eddie Editor');
      expect(agent.cookies(stack.appUrl).has(PENDING_COOKIE)).toBe(false);
    },
  );

  test('a provider that does not answer is a 503 within the configured timeout, not a hung request', async () => {
    const agent = new Agent();
    const callback = await agent.callbackUrl(stack.appUrl, 'viewer');
    await stack.providerOutage('hang');
    const started = Date.now();
    const down = await agent.fetch(callback, { signal: AbortSignal.timeout(15_000) });
    expect(down.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(down.headers.get('retry-after')).toBe('10');
    expect(agent.cookies(stack.appUrl).has(PENDING_COOKIE)).toBe(true);
  }, 20_000);

  test('a response that fails verification stays a 401 and discards the pending sign-in', async () => {
    const agent = new Agent();
    const callback = new URL(await agent.callbackUrl(stack.appUrl, 'editor'));
    callback.searchParams.set('state', 'forged-state-value');
    const forged = await agent.fetch(callback.href);
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain('The sign-in response could not be verified. Please sign in again.');
    expect(agent.cookies(stack.appUrl).has(PENDING_COOKIE)).toBe(false);
  });

  test('a refusal by the provider (access_denied) stays a 401 and discards the pending sign-in', async () => {
    const agent = new Agent();
    const callback = new URL(await agent.callbackUrl(stack.appUrl, 'editor'));
    const denied = await agent.fetch(`${stack.appUrl}${AppContract.auth.callback}?error=access_denied&state=${callback.searchParams.get('state')}`);
    expect(denied.status).toBe(401);
    expect(await denied.text()).toContain('The sign-in service said: access_denied.');
    expect(agent.cookies(stack.appUrl).has(PENDING_COOKIE)).toBe(false);
  });
});

test('probes and metrics stay reachable without sign-in', async () => {
  for (const path of Object.values(AppContract.paths)) expect((await fetch(`${stack.appUrl}${path}`)).status).toBe(200);
});
