import crypto from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { AppContract } from '../src/app-contract';
import { oidcAuth, safeReturnPath, SESSION_COOKIE, type SessionUser } from '../src/auth/auth';
import { isProviderOutage } from '../src/auth/provider-outage';
import { roleFromClaims } from '../src/auth/roles';
import { SignedCookieCodec } from '../src/auth/signed-cookie';
import { ConfigError, loadConfig, type OidcAuthConfig } from '../src/config';
import { AppMetrics } from '../src/http/metrics';
import { Readiness } from '../src/http/readiness';
import { OrderService } from '../src/service/order-service';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { NOW, validOrder } from './helpers';
import { freePort } from './oidc-helpers';

const E = AppContract.env;
const SECRET = 'a-test-session-signing-secret-of-48-characters!!';
const SETTINGS: OidcAuthConfig = {
  mode: 'oidc',
  issuerUrl: 'https://login.example.com/tenant/v2.0',
  clientId: 'order-app',
  redirectUri: 'https://orders.example.com/auth/callback',
  roleClaim: 'roles',
  viewerValues: ['Orders.Viewer'],
  editorValues: ['Orders.Editor'],
  sessionTtlMinutes: 60,
};
const codec = new SignedCookieCodec(SECRET);
const nowSeconds = () => Math.floor(Date.now() / 1000);
const newSessionId = () => crypto.randomBytes(16).toString('base64url');
/** A session cookie as the app issues it; `sid: null` makes one from before sessions had ids. */
const sessionCookie = (user: SessionUser, exp = nowSeconds() + 600, sid: string | null = newSessionId()) =>
  `${SESSION_COOKIE}=${encodeURIComponent(codec.encode(sid === null ? user : { ...user, sid }, exp))}`;
const VIEWER: SessionUser = { id: 'viewer@shop.example', name: 'Vera Viewer', role: 'viewer' };
const EDITOR: SessionUser = { id: 'editor@shop.example', name: 'Eddie Editor', role: 'editor' };

async function appWithSignIn(options: { hstsMaxAgeSeconds?: number; trustProxy?: number } = {}) {
  const store = new SqliteOrderStore({ file: ':memory:' });
  await store.migrate();
  const logger = pino({ level: 'silent' });
  const readiness = new Readiness(() => store.ping());
  readiness.markReady();
  const app = createApp({
    service: new OrderService(store),
    readiness,
    metrics: new AppMetrics({ defaultMetrics: false }),
    logger,
    now: () => NOW,
    auth: oidcAuth(SETTINGS, { logger, sessionSecret: SECRET, revocations: store.sessionRevocations }),
    ...options,
  });
  return { app, store };
}

const csrf = async (app: Parameters<typeof request>[0], cookie: string) => {
  const res = await request(app).get('/').set('Cookie', cookie).expect(200);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)![1]!;
  const csrfCookie = res.headers['set-cookie']![0]!.split(';')[0]!;
  return { token, cookie: `${cookie}; ${csrfCookie}` };
};

describe('roles from token claims', () => {
  const mapping = { claim: 'roles', viewerValues: ['Orders.Viewer'], editorValues: ['Orders.Editor'] };
  test('editor wins over viewer; a single string claim counts; nothing else gives a role', () => {
    expect(roleFromClaims({ roles: ['Orders.Viewer', 'Orders.Editor'] }, mapping)).toBe('editor');
    expect(roleFromClaims({ roles: 'Orders.Viewer' }, mapping)).toBe('viewer');
    expect(roleFromClaims({ roles: ['Admin'] }, mapping)).toBeUndefined();
    expect(roleFromClaims({}, mapping)).toBeUndefined();
  });
  test('group ids can be mapped instead of app roles', () => {
    expect(
      roleFromClaims(
        { groups: ['7f1c0f2e-0000-4000-8000-000000000001'] },
        { claim: 'groups', viewerValues: ['7f1c0f2e-0000-4000-8000-000000000001'], editorValues: [] },
      ),
    ).toBe('viewer');
  });
});

describe('signed cookies', () => {
  test('round-trip, and refuse tampering, another key and expiry', () => {
    const value = codec.encode(VIEWER, nowSeconds() + 60);
    expect(codec.decode(value, nowSeconds())).toMatchObject(VIEWER);
    const [payload, sig] = value.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...VIEWER, role: 'editor', exp: nowSeconds() + 60 })).toString('base64url');
    expect(codec.decode(`${forged}.${sig}`, nowSeconds())).toBeUndefined();
    expect(new SignedCookieCodec('another-secret-that-is-long-enough-32+').decode(value, nowSeconds())).toBeUndefined();
    expect(codec.decode(value, nowSeconds() + 61)).toBeUndefined();
    expect(codec.decode(`${payload}`, nowSeconds())).toBeUndefined();
    expect(codec.decode('garbage.garbage', nowSeconds())).toBeUndefined();
  });
  test('sign with a key derived from the secret, never the secret itself, so issued cookies stay valid across releases', () => {
    const key = crypto.createHmac('sha256', SECRET).update('order-app cookie signing v1').digest();
    const payload = Buffer.from(JSON.stringify({ ...VIEWER, exp: 2_000_000_000 })).toString('base64url');
    const signature = crypto.createHmac('sha256', key).update(payload).digest('base64url');
    expect(codec.encode(VIEWER, 2_000_000_000)).toBe(`${payload}.${signature}`);
    const withSecret = crypto.createHmac('sha256', SECRET).update(payload).digest('base64url');
    expect(codec.decode(`${payload}.${withSecret}`, nowSeconds())).toBeUndefined();
  });

  test('a cookie is valid until the second before its expiry', () => {
    const exp = nowSeconds() + 60;
    const value = codec.encode(VIEWER, exp);
    expect(codec.decode(value, exp - 1)).toEqual({ ...VIEWER, exp });
    expect(codec.decode(value, exp)).toBeUndefined();
  });

  test('refuse no cookie, an empty one, and a signed one whose expiry is not a number', () => {
    expect(codec.decode(undefined, nowSeconds())).toBeUndefined();
    expect(codec.decode('', nowSeconds())).toBeUndefined();
    expect(codec.decode(codec.encode(VIEWER, String(nowSeconds() + 60) as unknown as number), nowSeconds())).toBeUndefined();
  });

  test('refuse a secret shorter than 32 characters', () => {
    expect(() => new SignedCookieCodec('short')).toThrow('at least 32 characters');
  });
});

test('a provider outage is told apart from an answer that is wrong', async () => {
  const closed = `http://127.0.0.1:${await freePort()}/`;
  const refused = await fetch(closed).catch((err: unknown) => err);
  const timedOut = await fetch(closed, { signal: AbortSignal.timeout(0) }).catch((err: unknown) => err);
  expect(isProviderOutage(refused)).toBe(true);
  expect(isProviderOutage(timedOut)).toBe(true);
  expect(isProviderOutage(new Error('unexpected HTTP response status code', { cause: new Response('down', { status: 502 }) }))).toBe(true);
  expect(isProviderOutage(Object.assign(new Error('server responded with an error'), { status: 503, error: 'temporarily_unavailable' }))).toBe(true);
  expect(isProviderOutage(Object.assign(new Error('server responded with an error'), { status: 400, error: 'invalid_grant' }))).toBe(false);
  expect(isProviderOutage(new Error('unexpected JWT claim value encountered'))).toBe(false);
  expect(isProviderOutage(new TypeError('"response" body "state" does not match'))).toBe(false);
  expect(isProviderOutage(undefined)).toBe(false);
});

test('returnTo accepts only same-site paths', () => {
  expect(safeReturnPath('/orders/new?x=1')).toBe('/orders/new?x=1');
  for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example', 'orders', undefined, ['/a'], '/auth/sign-in'])
    expect(safeReturnPath(bad)).toBe('/');
});

describe('access with sign-in on', () => {
  test('probes and metrics need no sign-in', async () => {
    const { app } = await appWithSignIn();
    for (const path of Object.values(AppContract.paths)) expect((await request(app).get(path)).status).toBe(200);
  });

  test('a page without a session redirects to sign-in and comes back; the API answers 401', async () => {
    const { app } = await appWithSignIn();
    const page = await request(app).get('/?page=2').expect(302);
    expect(page.headers.location).toBe(`${AppContract.auth.signIn}?returnTo=${encodeURIComponent('/?page=2')}`);
    const api = await request(app)
      .get('/api/orders')
      .expect(401)
      .expect('Content-Type', /problem\+json/);
    expect(api.body.title).toBe('Sign-in required');
  });

  test('a viewer lists and exports, sees their name and role, and is offered no Add button', async () => {
    const { app } = await appWithSignIn();
    const page = await request(app).get('/').set('Cookie', sessionCookie(VIEWER)).expect(200);
    expect(page.text).toContain('Vera Viewer');
    expect(page.text).toContain('(viewer)');
    expect(page.text).toContain(`action="${AppContract.auth.signOut}"`);
    expect(page.text).not.toContain('href="/orders/new"');
    await request(app).get('/orders.csv').set('Cookie', sessionCookie(VIEWER)).expect(200);
    await request(app).get('/api/orders').set('Cookie', sessionCookie(VIEWER)).expect(200);
  });

  test('list pages reused between requests never mix users: each sees their own name, token and buttons', async () => {
    const { app } = await appWithSignIn();
    const OTHER_EDITOR: SessionUser = { id: 'other@shop.example', name: 'Olga Other', role: 'editor' };
    const csrfOf = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)![1];
    for (let round = 0; round < 2; round++) {
      const editor = await request(app).get('/?size=10').set('Cookie', sessionCookie(EDITOR)).expect(200);
      const viewer = await request(app).get('/?size=10').set('Cookie', sessionCookie(VIEWER)).expect(200);
      const other = await request(app).get('/?size=10').set('Cookie', sessionCookie(OTHER_EDITOR)).expect(200);
      expect(editor.text).toContain('Eddie Editor');
      expect(editor.text).toContain('href="/orders/new"');
      expect(viewer.text).toContain('Vera Viewer');
      expect(viewer.text).not.toContain('Eddie Editor');
      expect(viewer.text).not.toContain('href="/orders/new"');
      expect(other.text).toContain('Olga Other');
      expect(other.text).not.toContain('Eddie Editor');
      expect(new Set([csrfOf(editor.text), csrfOf(viewer.text), csrfOf(other.text)]).size).toBe(3);
    }
  });

  test("the new-order page's form and the header's sign-out form carry one CSRF token, set in one cookie", async () => {
    const { app } = await appWithSignIn();
    const res = await request(app).get('/orders/new').set('Cookie', sessionCookie(EDITOR)).expect(200);
    const tokens = [...res.text.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
    const csrfCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []).filter((c) => c.startsWith('order_csrf='));
    expect(csrfCookies).toEqual([expect.stringMatching(new RegExp(`^order_csrf=${tokens[0]};`))]);
  });

  test("a viewer's POST is refused with 403 and nothing is stored", async () => {
    const { app, store } = await appWithSignIn();
    const { token, cookie } = await csrf(app, sessionCookie(VIEWER));
    const order = validOrder();
    await request(app).post('/api/orders').set('Cookie', cookie).send(order).expect(403);
    const form = await request(app)
      .post('/orders')
      .set('Cookie', cookie)
      .type('form')
      .send({
        _csrf: token,
        date_uuid: order.dateUuid,
        user_id: order.userId,
        card_number: order.cardNumber,
        store_code: order.storeCode,
        product_code: order.productCode,
        product_quantity: '2',
        order_date: order.orderDate,
        shipping_date: order.shippingDate,
      })
      .expect(403);
    expect(form.text).toContain('Your role lets you view orders but not add them.');
    await request(app).get('/orders/new').set('Cookie', cookie).expect(403);
    expect(await store.get(order.dateUuid, order.userId)).toBeUndefined();
  });

  test("an editor's order is stored and records who created it", async () => {
    const { app, store } = await appWithSignIn();
    const order = validOrder();
    const res = await request(app).post('/api/orders').set('Cookie', sessionCookie(EDITOR)).send(order).expect(201);
    expect(await store.creatorOf(order.dateUuid, order.userId)).toBe('editor@shop.example');
    const read = await request(app).get(res.headers.location!).set('Cookie', sessionCookie(VIEWER)).expect(200);
    expect(read.body.createdBy).toBe('editor@shop.example');
  });

  test('an expired or tampered session counts as signed out, and its cookie is cleared', async () => {
    const { app } = await appWithSignIn();
    const expired = await request(app)
      .get('/')
      .set('Cookie', sessionCookie(EDITOR, nowSeconds() - 1))
      .expect(302);
    expect(expired.headers.location).toMatch(/^\/auth\/sign-in/);
    expect(expired.headers['set-cookie']![0]).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`));
    const value = codec.encode(VIEWER, nowSeconds() + 600);
    const forged =
      `${Buffer.from(JSON.stringify({ ...VIEWER, role: 'editor', exp: nowSeconds() + 600 })).toString('base64url')}` + `.${value.split('.')[1]}`;
    await request(app).post('/api/orders').set('Cookie', `${SESSION_COOKIE}=${forged}`).send(validOrder()).expect(401);
  });

  test('a malformed session cookie counts as signed out, never a server error', async () => {
    const { app } = await appWithSignIn();
    const res = await request(app).get('/').set('Cookie', `${SESSION_COOKIE}=%E0%A4%A; other=1`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/auth\/sign-in/);
  });

  test('sign-out clears the session cookie (CSRF-protected)', async () => {
    const { app } = await appWithSignIn();
    const { token, cookie } = await csrf(app, sessionCookie(EDITOR));
    await request(app).post(AppContract.auth.signOut).set('Cookie', cookie).type('form').send({}).expect(403);
    const res = await request(app).post(AppContract.auth.signOut).set('Cookie', cookie).type('form').send({ _csrf: token }).expect(303);
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => c.startsWith(`${SESSION_COOKIE}=;`))).toBe(true);
  });

  test('sign-out revokes the session: its cookie replayed is refused for pages, the API and writes', async () => {
    const { app, store } = await appWithSignIn();
    const session = sessionCookie(EDITOR);
    const { token, cookie } = await csrf(app, session);
    await request(app).post(AppContract.auth.signOut).set('Cookie', cookie).type('form').send({ _csrf: token }).expect(303);
    expect((await request(app).get('/').set('Cookie', session).expect(302)).headers.location).toMatch(/^\/auth\/sign-in/);
    const api = await request(app).get('/api/orders').set('Cookie', session).expect(401);
    expect(api.body.detail).toBe('This session was signed out. Sign in again to continue.');
    const order = validOrder();
    await request(app).post('/api/orders').set('Cookie', session).send(order).expect(401);
    expect(await store.get(order.dateUuid, order.userId)).toBeUndefined();
    await request(app).get('/api/orders').set('Cookie', sessionCookie(EDITOR)).expect(200);
  });

  test('a session issued before sessions had ids is refused and told to sign in again', async () => {
    const { app } = await appWithSignIn();
    const legacy = sessionCookie(EDITOR, nowSeconds() + 600, null);
    const page = await request(app).get('/').set('Cookie', legacy).expect(302);
    expect(page.headers.location).toMatch(/^\/auth\/sign-in/);
    expect(page.headers['set-cookie']![0]).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    const api = await request(app).post('/api/orders').set('Cookie', legacy).send(validOrder()).expect(401);
    expect(api.body.detail).toBe('Your session was started before an update of the app. Sign in again to continue.');
  });

  test('when the database cannot say whether a session was signed out, the request gets 503 with Retry-After', async () => {
    const { app, store } = await appWithSignIn();
    await store.close();
    for (const path of ['/', '/api/orders']) {
      const res = await request(app).get(path).set('Cookie', sessionCookie(EDITOR)).expect(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.text).toContain('Your session cannot be checked because the order database is not reachable right now.');
    }
    await request(app).post('/api/orders').set('Cookie', sessionCookie(EDITOR)).send(validOrder()).expect(503);
  });

  test('sign-out while the database is down keeps the session and says it is still signed in', async () => {
    const { app, store } = await appWithSignIn();
    const { token, cookie } = await csrf(app, sessionCookie(EDITOR));
    await store.close();
    const res = await request(app).post(AppContract.auth.signOut).set('Cookie', cookie).type('form').send({ _csrf: token }).expect(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.text).toContain('You are still signed in');
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  });

  test('session cookies are HttpOnly, Secure and SameSite=Lax', async () => {
    const { app } = await appWithSignIn();
    const res = await request(app)
      .get('/')
      .set('Cookie', sessionCookie(EDITOR, nowSeconds() - 1));
    expect(res.headers['set-cookie']![0]).toMatch(/; Path=\/;.*HttpOnly; Secure; SameSite=Lax/);
  });

  test('the CSP lets the sign-out form redirect to the provider, and nowhere else', async () => {
    const { app } = await appWithSignIn();
    const csp = (await request(app).get('/healthz')).headers['content-security-policy'] as string;
    expect(csp).toContain("form-action 'self' https://login.example.com;");
  });

  test('HSTS is sent over HTTPS behind the proxy, not over plain HTTP', async () => {
    const { app } = await appWithSignIn({ hstsMaxAgeSeconds: 31_536_000, trustProxy: 1 });
    const https = await request(app).get('/healthz').set('X-Forwarded-Proto', 'https');
    expect(https.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect((await request(app).get('/healthz')).headers['strict-transport-security']).toBeUndefined();
  });
});

describe('sign-in configuration', () => {
  const oidcEnv = {
    [E.authMode]: 'oidc',
    [E.oidcIssuerUrl]: 'https://login.microsoftonline.com/tenant/v2.0',
    [E.oidcClientId]: 'client',
    [E.oidcRedirectUri]: 'https://orders.example.com/auth/callback',
    [E.sessionSecret]: SECRET,
  };

  test('is off by default, so npm start stays one command', () => {
    expect(loadConfig({}).auth).toEqual({ mode: 'none' });
  });

  test('reads the OIDC settings with Entra app-role defaults', () => {
    expect(loadConfig(oidcEnv).auth).toMatchObject({
      mode: 'oidc',
      clientId: 'client',
      roleClaim: 'roles',
      viewerValues: ['Orders.Viewer'],
      editorValues: ['Orders.Editor'],
      sessionTtlMinutes: 480,
    });
    expect(loadConfig({ ...oidcEnv, [E.oidcRoleClaim]: 'groups', [E.oidcEditorRoles]: 'g1, g2' }).auth).toMatchObject({
      roleClaim: 'groups',
      editorValues: ['g1', 'g2'],
    });
  });

  test.each([
    [{ [E.oidcClientId]: '' }, 'AUTH_MODE=oidc needs OIDC_CLIENT_ID'],
    [{ [E.oidcIssuerUrl]: 'http://login.example.com/' }, 'OIDC_ISSUER_URL must use https'],
    [{ [E.oidcRedirectUri]: 'https://orders.example.com/callback' }, 'OIDC_REDIRECT_URI must end in /auth/callback'],
    [{ [E.sessionSecret]: 'short' }, 'SESSION_SECRET must be at least 32 characters'],
    [{ [E.sessionSecret]: '' }, 'needs SESSION_SECRET (32+ random characters) or KEY_VAULT_URL'],
    [{ [E.authMode]: 'saml' }, 'AUTH_MODE must be one of none, oidc'],
  ])('refuses %p', (patch, message) => {
    expect(() => loadConfig({ ...oidcEnv, ...patch })).toThrow(ConfigError);
    expect(() => loadConfig({ ...oidcEnv, ...patch })).toThrow(message);
  });

  test('reads every OIDC setting; the client secret and the session secret verbatim', () => {
    const auth = loadConfig({
      ...oidcEnv,
      [E.oidcClientSecret]: ' s e c r e t ',
      [E.oidcViewerRoles]: 'v1,v2',
      [E.sessionTtlMinutes]: '1440',
      [E.oidcTimeoutSeconds]: '60',
      [E.sessionSecret]: ` ${SECRET} `,
    }).auth;
    expect(auth).toEqual({
      mode: 'oidc',
      issuerUrl: 'https://login.microsoftonline.com/tenant/v2.0',
      clientId: 'client',
      clientSecret: ' s e c r e t ',
      redirectUri: 'https://orders.example.com/auth/callback',
      roleClaim: 'roles',
      viewerValues: ['v1', 'v2'],
      editorValues: ['Orders.Editor'],
      sessionSecret: ` ${SECRET} `,
      sessionTtlMinutes: 1440,
      providerTimeoutSeconds: 60,
    });
  });

  test('the session key may come from Key Vault instead of SESSION_SECRET', () => {
    const auth = loadConfig({ ...oidcEnv, [E.sessionSecret]: '', [E.keyVaultUrl]: 'https://v.vault.azure.net/' }).auth;
    expect(auth).toMatchObject({ mode: 'oidc', sessionSecret: undefined });
  });

  test.each([
    [E.oidcIssuerUrl, ' ', 'AUTH_MODE=oidc needs OIDC_ISSUER_URL (the provider, e.g. https://login.microsoftonline.com/<tenant id>/v2.0).'],
    [E.oidcClientId, ' ', "AUTH_MODE=oidc needs OIDC_CLIENT_ID (the app registration's client id)."],
    [E.oidcRedirectUri, ' ', "AUTH_MODE=oidc needs OIDC_REDIRECT_URI (this app's /auth/callback URL as registered with the provider)."],
    // Read verbatim, so only an empty one is unset.
    [E.sessionSecret, '', 'AUTH_MODE=oidc needs SESSION_SECRET (32+ random characters) or KEY_VAULT_URL holding "session-signing-key".'],
  ])('without %s, says what it is', (name, value, message) => {
    expect(() => loadConfig({ ...oidcEnv, [name]: value })).toThrow(new ConfigError(message));
  });

  test.each(['http://localhost:8080', 'http://127.0.0.1', 'http://[::1]:3000'])('http is allowed for %s outside production only', (origin) => {
    const local = { ...oidcEnv, [E.oidcIssuerUrl]: `${origin}/issuer`, [E.oidcRedirectUri]: `${origin}/auth/callback` };
    expect(loadConfig(local).auth).toMatchObject({ issuerUrl: `${origin}/issuer`, redirectUri: `${origin}/auth/callback` });
    const production = { ...local, [E.nodeEnv]: 'production', [E.databaseDriver]: 'sqlite' };
    expect(() => loadConfig(production)).toThrow(
      new ConfigError(`OIDC_ISSUER_URL must use https (http is allowed only for localhost outside production); got "${origin}/issuer".`),
    );
    expect(() => loadConfig({ ...production, [E.oidcIssuerUrl]: oidcEnv[E.oidcIssuerUrl] })).toThrow(
      `OIDC_REDIRECT_URI must use https (http is allowed only for localhost outside production); got "${origin}/auth/callback".`,
    );
  });

  test('http to any other host is refused, in development too', () => {
    expect(() => loadConfig({ ...oidcEnv, [E.oidcRedirectUri]: 'http://orders.example.com/auth/callback' })).toThrow(
      new ConfigError(
        'OIDC_REDIRECT_URI must use https (http is allowed only for localhost outside production); got "http://orders.example.com/auth/callback".',
      ),
    );
  });

  test('production with public exposure and sign-in off refuses to start unless acknowledged', () => {
    const prod = { [E.nodeEnv]: 'production', [E.databaseDriver]: 'sqlite', [E.exposure]: 'public', [E.trustProxy]: '1' };
    expect(() => loadConfig(prod)).toThrow('EXPOSURE=public with AUTH_MODE=none would let anyone on the Internet read and add orders');
    expect(loadConfig({ ...prod, [E.allowAnonymousPublicAccess]: 'true' }).auth.mode).toBe('none');
    expect(loadConfig({ ...prod, ...oidcEnv }).auth.mode).toBe('oidc');
    expect(loadConfig({ ...prod, [E.exposure]: 'internal', [E.trustProxy]: '' }).auth.mode).toBe('none');
  });

  test('waits 10 s for the provider by default; OIDC_TIMEOUT_SECONDS sets 1 to 60', () => {
    expect(loadConfig(oidcEnv).auth).toMatchObject({ providerTimeoutSeconds: 10 });
    expect(loadConfig({ ...oidcEnv, [E.oidcTimeoutSeconds]: '3' }).auth).toMatchObject({ providerTimeoutSeconds: 3 });
    expect(() => loadConfig({ ...oidcEnv, [E.oidcTimeoutSeconds]: '0' })).toThrow(
      'OIDC_TIMEOUT_SECONDS must be a whole number from 1 to 60; got "0".',
    );
  });

  test('public exposure needs trust proxy (the ingress terminates TLS)', () => {
    expect(() => loadConfig({ [E.exposure]: 'public', [E.allowAnonymousPublicAccess]: 'true' })).toThrow('set TRUST_PROXY=1');
  });
});
