import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppContract } from '../src/app-contract';
import { ROOT, startServer } from './process-helpers';

const E = AppContract.env;

/** A free TCP port (the app's redirect URI must be known before it starts). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** The test OpenID Connect provider (app/test/fixtures/oidc-provider.mjs) in its own process. */
export function startOidcProvider(appUrl: string): Promise<{ child: ChildProcess; issuer: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'app/test/fixtures/oidc-provider.mjs')], {
    env: {
      PATH: process.env.PATH!,
      REDIRECT_URI: `${appUrl}${AppContract.auth.callback}`,
      POST_LOGOUT_URI: `${appUrl}${AppContract.auth.signedOut}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`OIDC provider did not start: ${output}`)), 15_000);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /\{"issuer":"([^"]+)"\}/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, issuer: m[1]! });
      }
    });
    child.once('exit', (code) => reject(new Error(`OIDC provider exited with ${code}: ${output}`)));
  });
}

export interface SignInStack {
  readonly appUrl: string;
  readonly issuer: string;
  readonly sqlitePath: string;
  readonly sessionSecret: string;
  /** Another app process on the same SQLite file and session key (another replica). */
  startReplica(): Promise<{ readonly url: string; stop(): void }>;
  /** Makes the provider fail every request ('close': drop the connection, '503', 'hang': never answer) or recover ('none'). */
  providerOutage(mode: 'none' | 'close' | '503' | 'hang'): Promise<void>;
  stop(): void;
}

/** The test provider and the app with sign-in on (a public client: PKCE, no client secret). */
export async function startSignInStack(): Promise<SignInStack> {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const idp = await startOidcProvider(appUrl);
  const dir = mkdtempSync(path.join(tmpdir(), 'oidc-'));
  const sessionSecret = crypto.randomBytes(32).toString('base64url');
  const sqlitePath = path.join(dir, 'orders.db');
  const env = {
    HOST: '127.0.0.1',
    SQLITE_PATH: sqlitePath,
    SEED_DEMO_DATA: '20',
    [E.authMode]: 'oidc',
    [E.oidcIssuerUrl]: idp.issuer,
    [E.oidcClientId]: 'order-app',
    [E.oidcRedirectUri]: `${appUrl}${AppContract.auth.callback}`,
    [E.sessionSecret]: sessionSecret,
    [E.oidcTimeoutSeconds]: '2',
  };
  const replicas: ChildProcess[] = [];
  let app: { child: ChildProcess };
  try {
    app = await startServer({ ...env, PORT: String(port) });
  } catch (err) {
    idp.child.kill();
    throw err;
  }
  return {
    appUrl,
    issuer: idp.issuer,
    sqlitePath,
    sessionSecret,
    startReplica: async () => {
      const replica = await startServer({ ...env, PORT: '0' });
      replicas.push(replica.child);
      return { url: replica.url, stop: () => replica.child.kill('SIGTERM') };
    },
    providerOutage: async (mode) => {
      const res = await fetch(`${idp.issuer}/__test/outage?mode=${mode}`);
      if (!res.ok) throw new Error(`the test provider refused outage mode ${mode}: ${res.status}`);
    },
    stop: () => {
      for (const r of replicas) r.kill('SIGTERM');
      app.child.kill('SIGTERM');
      idp.child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal user agent: a cookie jar per host, manual redirects, the test provider's login page. */
export class Agent {
  private readonly jar = new Map<string, Map<string, string>>();

  cookies(url: string): Map<string, string> {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    return this.jar.get(host)!;
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const jar = this.cookies(url);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects (GET) until a non-redirect answer; returns it with its URL. */
  async follow(url: string, init: RequestInit = {}): Promise<{ res: Response; url: string; body: string }> {
    let current = url;
    let res = await this.fetch(current, init);
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 15) throw new Error('too many redirects');
      current = new URL(res.headers.get('location')!, current).href;
      res = await this.fetch(current);
    }
    return { res, url: current, body: await res.text() };
  }

  /** Signs in at the test provider as `account` but stops before the app's callback; returns the callback URL. */
  async callbackUrl(appUrl: string, account: 'editor' | 'viewer' | 'nobody'): Promise<string> {
    const page = await this.follow(`${appUrl}/`);
    const link = new RegExp(`href="(/interaction/[^"]+/login\\?account=${account})"`).exec(page.body);
    if (!link) throw new Error(`no login link for ${account} at ${page.url}: ${page.body.slice(0, 300)}`);
    let current = new URL(link[1]!, page.url).href;
    for (let hops = 0; hops < 15; hops++) {
      const res = await this.fetch(current);
      await res.arrayBuffer();
      const location = res.headers.get('location');
      if (!location) throw new Error(`the provider stopped at ${current} with ${res.status}`);
      current = new URL(location, current).href;
      if (current.startsWith(`${appUrl}${AppContract.auth.callback}`)) return current;
    }
    throw new Error('too many redirects before the callback');
  }

  /** Opens `path` on the app and signs in at the test provider as `account` when asked to. */
  async signIn(appUrl: string, account: 'editor' | 'viewer' | 'nobody', path = '/'): Promise<{ res: Response; url: string; body: string }> {
    const page = await this.follow(`${appUrl}${path}`);
    const link = new RegExp(`href="(/interaction/[^"]+/login\\?account=${account})"`).exec(page.body);
    if (!link) throw new Error(`no login link for ${account} at ${page.url}: ${page.body.slice(0, 300)}`);
    return this.follow(new URL(link[1]!, page.url).href);
  }
}
