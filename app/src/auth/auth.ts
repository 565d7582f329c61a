import crypto from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { AppContract } from '../app-contract';
import { settings as configSettings, type OidcAuthConfig } from '../config';
import { formBody } from '../http/body';
import { issueCsrfToken, readCookie, sameOriginOnly, verifyCsrfToken } from '../http/csrf';
import { HttpError } from '../http/http-error';
import type { SessionRevocations } from '../store/session-revocations';
import { redactLogText } from '../logger';
import { signedOutPage } from '../views/signed-out-page';
import { isProviderOutage } from './provider-outage';
import { allows, roleFromClaims, type Role } from './roles';
import { SignedCookieCodec } from './signed-cookie';

/** The signed-in user, as the pages and the API see it (`res.locals.user`). */
export interface SessionUser {
  /** Stable id for records (`created_by`): the user name, e-mail or subject. */
  readonly id: string;
  /** For the header. */
  readonly name: string;
  readonly role: Role;
}

/** Sign-in as the app uses it; `noAuth()` when it is off (local use). */
export interface Auth {
  /** `/auth/*` routes. */
  readonly router: Router;
  /** Reads the session cookie into `res.locals.user`. */
  readonly attachUser: RequestHandler;
  /** Lets the request through only for a signed-in user whose role allows `role`. */
  require(role: Role): RequestHandler;
  /** Origins a form post may be redirected to (the provider's end-session page), for the CSP's form-action. */
  readonly formActionOrigins: readonly string[];
}

/** The user of this request, when signed in. */
export const currentUser = (res: Response): SessionUser | undefined => res.locals.user as SessionUser | undefined;

/** Sign-in off: everyone may do everything (local use; production needs it on for public exposure). */
export function noAuth(): Auth {
  const pass: RequestHandler = (_req, _res, next) => next();
  return { router: express.Router(), attachUser: pass, require: () => pass, formActionOrigins: [] };
}

/** Cookie names: `__Host-` binds them to this host, over HTTPS, for every path. */
export const SESSION_COOKIE = '__Host-order_session';
export const PENDING_COOKIE = '__Host-order_signin';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A same-site path to come back to after sign-in; anything else becomes `/`. */
export function safeReturnPath(value: unknown): string {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\') ||
    value.startsWith(AppContract.auth.signIn)
  )
    return '/';
  return value.slice(0, 2000);
}

/** What the session cookie carries: the user and a random id that sign-out revokes. */
interface SessionPayload extends SessionUser {
  /** Absent from cookies issued before sign-out revoked sessions: those are refused. */
  readonly sid?: unknown;
}

const SESSION_ID_RE = /^[A-Za-z0-9_-]{22}$/;

interface Pending {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly returnTo: string;
}

type OidcModule = typeof import('openid-client');

export interface OidcAuthOptions {
  readonly logger: Logger;
  /** The session signing secret (from the environment or Key Vault). */
  readonly sessionSecret: string;
  /** The client secret, when the app registration is a confidential client. */
  readonly clientSecret?: string;
  /** Where sign-out records sessions as ended, shared by every replica (the order store's database). */
  readonly revocations: SessionRevocations;
}

/**
 * OpenID Connect sign-in (authorization code flow with PKCE, state and nonce) through
 * `openid-client`, which validates the ID token. The provider is discovered on first use,
 * so the app starts even while the provider is unreachable. Sessions are signed, HttpOnly,
 * Secure, SameSite=Lax cookies that expire after `sessionTtlMinutes`; each has a random id
 * that sign-out records in `revocations`, which every request with a session checks.
 */
export function oidcAuth(settings: OidcAuthConfig, options: OidcAuthOptions): Auth {
  const codec = new SignedCookieCodec(options.sessionSecret);
  const mapping = { claim: settings.roleClaim, viewerValues: settings.viewerValues, editorValues: settings.editorValues };
  const ttlSeconds = settings.sessionTtlMinutes * 60;
  const cookie = { httpOnly: true, secure: true, sameSite: 'lax' as const, path: '/' };
  let discovered: Promise<{ oidc: OidcModule; config: import('openid-client').Configuration }> | undefined;

  const provider = () => {
    discovered ??= (async () => {
      // openid-client is an ES module; loaded on first sign-in only.
      const oidc: OidcModule = await import('openid-client');
      const issuer = new URL(settings.issuerUrl);
      const clientSecret = options.clientSecret;
      const config = await oidc.discovery(
        issuer,
        settings.clientId,
        clientSecret,
        clientSecret ? oidc.ClientSecretPost(clientSecret) : oidc.None(),
        // The timeout also bounds every later request of this configuration (the token endpoint).
        {
          timeout: settings.providerTimeoutSeconds ?? configSettings.oidcTimeoutSeconds.default,
          ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      );
      return { oidc, config };
    })().catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  };

  const unavailable = (err: unknown, detail = 'The sign-in service cannot be reached right now. Please try again in a moment.'): HttpError => {
    options.logger.error({ err }, 'sign-in provider unavailable');
    return new HttpError(503, 'Sign-in unavailable', detail, undefined, { 'Retry-After': '10' });
  };

  const router = express.Router();

  router.get(AppContract.auth.signIn, async (req, res, next) => {
    try {
      const { oidc, config } = await provider();
      const pending: Pending = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        returnTo: safeReturnPath(req.query.returnTo),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: 'openid profile email',
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      res.cookie(PENDING_COOKIE, codec.encode(pending, nowSeconds() + 600), { ...cookie, maxAge: 600_000 });
      res.redirect(302, url.href);
    } catch (err) {
      next(unavailable(err));
    }
  });

  router.get(AppContract.auth.callback, async (req, res, next) => {
    const pending = codec.decode<Pending>(readCookie(req, PENDING_COOKIE), nowSeconds());
    // Kept only while the provider is down, so reloading this URL finishes the sign-in later.
    const discardPending = () => res.clearCookie(PENDING_COOKIE, cookie);
    if (!pending) {
      discardPending();
      return next(new HttpError(400, 'Sign-in expired', 'The sign-in took too long or was started elsewhere. Please sign in again.'));
    }
    if (typeof req.query.error === 'string') {
      discardPending();
      return next(new HttpError(401, 'Sign-in failed', `The sign-in service said: ${req.query.error.slice(0, 100)}.`));
    }
    let claims: Record<string, unknown>;
    try {
      const { oidc, config } = await provider();
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, settings.redirectUri), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    } catch (err) {
      if (isProviderOutage(err)) {
        return next(
          unavailable(
            err,
            'The sign-in service cannot be reached right now, so your sign-in could not be finished. ' +
              'Reload this page in a moment to finish signing in.',
          ),
        );
      }
      discardPending();
      options.logger.warn({ err: { name: (err as Error).name, message: redactLogText((err as Error).message) } }, 'sign-in callback rejected');
      return next(new HttpError(401, 'Sign-in failed', 'The sign-in response could not be verified. Please sign in again.'));
    }
    discardPending();
    const role = roleFromClaims(claims, mapping);
    const id = String(claims.preferred_username ?? claims.email ?? claims.sub);
    if (!role) {
      options.logger.info({ user: id }, 'signed in without a role');
      return next(
        new HttpError(
          403,
          'No access',
          `Your account (${id}) has no role in this app. Ask an administrator for ${settings.viewerValues[0]} or ${settings.editorValues[0]}.`,
        ),
      );
    }
    const session: SessionPayload = { sid: crypto.randomBytes(16).toString('base64url'), id, name: String(claims.name ?? id), role };
    res.cookie(SESSION_COOKIE, codec.encode(session, nowSeconds() + ttlSeconds), { ...cookie, maxAge: ttlSeconds * 1000 });
    options.logger.info({ user: id, role }, 'signed in');
    res.redirect(303, pending.returnTo);
  });

  router.post(AppContract.auth.signOut, sameOriginOnly, ...formBody, verifyCsrfToken, async (req, res, next) => {
    const session = codec.decode<SessionPayload>(readCookie(req, SESSION_COOKIE), nowSeconds());
    if (session && typeof session.sid === 'string' && SESSION_ID_RE.test(session.sid)) {
      try {
        await options.revocations.revoke(session.sid, new Date(session.exp * 1000));
      } catch (err) {
        // The cookie stays: clearing it here would look like a sign-out while the session still works elsewhere.
        options.logger.error({ err, user: session.id }, 'sign-out could not record the session as ended');
        return next(
          new HttpError(
            503,
            'Sign-out unavailable',
            'You are still signed in: the order database is not reachable, so your session could not be ended. ' +
              'Please try signing out again in a moment.',
            undefined,
            {
              'Retry-After': '5',
            },
          ),
        );
      }
      options.logger.info({ user: session.id }, 'signed out');
    }
    res.clearCookie(SESSION_COOKIE, cookie);
    const back = new URL(AppContract.auth.signedOut, settings.redirectUri).href;
    try {
      const { oidc, config } = await provider();
      if (config.serverMetadata().end_session_endpoint) {
        return res.redirect(303, oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: back }).href);
      }
    } catch {
      // Signed out of the app either way; the provider's own session stays.
    }
    res.redirect(303, back);
  });

  router.get(AppContract.auth.signedOut, (_req, res) => {
    res.type('html').send(signedOutPage().value);
  });

  /** Ends this request's session: the cookie is cleared and a 401 says why (`ended`). */
  const endSession = (res: Response, ended?: string): void => {
    res.clearCookie(SESSION_COOKIE, cookie);
    if (ended) res.locals.sessionEnded = ended;
  };

  const attachUser: RequestHandler = async (req, res, next) => {
    const raw = readCookie(req, SESSION_COOKIE);
    if (!raw) return next();
    // The payload is signed, but checked as untrusted anyway (an old or foreign cookie shape).
    const session = codec.decode<SessionPayload>(raw, nowSeconds());
    if (!session || !['viewer', 'editor'].includes(session.role as string)) {
      endSession(res);
      return next();
    }
    if (typeof session.sid !== 'string' || !SESSION_ID_RE.test(session.sid)) {
      // Issued before sessions had ids: sign-out could not end it, so it is not trusted.
      options.logger.info({ user: session.id }, 'refused a session issued before sign-out could end sessions');
      endSession(res, 'Your session was started before an update of the app. Sign in again to continue.');
      return next();
    }
    let revoked: boolean;
    try {
      revoked = await options.revocations.isRevoked(session.sid);
    } catch (err) {
      options.logger.error({ err, user: session.id }, 'could not check whether the session was signed out');
      return next(
        new HttpError(
          503,
          'Service unavailable',
          'Your session cannot be checked because the order database is not reachable right now. Please try again in a moment.',
          undefined,
          {
            'Retry-After': '5',
          },
        ),
      );
    }
    if (revoked) {
      endSession(res, 'This session was signed out. Sign in again to continue.');
      return next();
    }
    res.locals.user = { id: session.id, name: session.name, role: session.role } satisfies SessionUser;
    next();
  };

  const requireRole =
    (needed: Role): RequestHandler =>
    (req, res, next) => {
      const user = currentUser(res);
      if (!user) {
        if (req.method === 'GET' && !req.originalUrl.startsWith('/api/')) {
          return res.redirect(302, `${AppContract.auth.signIn}?returnTo=${encodeURIComponent(req.originalUrl)}`);
        }
        const ended = res.locals.sessionEnded as string | undefined;
        return next(
          new HttpError(401, 'Sign-in required', ended ?? 'Sign in to use the order app.', undefined, { 'WWW-Authenticate': 'OpenIDConnect' }),
        );
      }
      if (!allows(user.role, needed)) {
        return next(
          new HttpError(
            403,
            'Forbidden',
            needed === 'editor' ? 'Your role lets you view orders but not add them.' : 'Your role does not allow this.',
          ),
        );
      }
      next();
    };

  // Sign-out is a form post that redirects to the provider; the CSP's form-action covers redirects.
  return { router, attachUser, require: requireRole, formActionOrigins: [new URL(settings.issuerUrl).origin] };
}

/** For the page header: the user and a CSRF token for the sign-out form. */
export function headerUser(req: Request, res: Response): { name: string; role: Role; csrfToken: string } | undefined {
  const user = currentUser(res);
  return user ? { name: user.name, role: user.role, csrfToken: issueCsrfToken(req, res) } : undefined;
}
