import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TokenCredential } from '@azure/identity';
import { selfSignedCertificate, type SelfSignedCertificate } from './self-signed-certificate';

/**
 * A local HTTPS endpoint that answers like Key Vault's secrets REST API (challenge-based
 * bearer auth, GET /secrets/{name}/), so the real SecretClient is exercised end to end.
 */
export interface FakeVault {
  readonly url: string;
  /** The certificate to trust (PEM), and the same in a file for `NODE_EXTRA_CA_CERTS`. */
  readonly ca: string;
  readonly caFile: string;
  readonly requests: { path: string; auth?: string; apiVersion: string | null; traceparent?: string }[];
  close(): Promise<void>;
}

/** The only bearer token the fake vault accepts. */
export const VAULT_TOKEN = 'test-access-token';

export interface FakeVaultOptions {
  /**
   * The host name in the vault's URL, e.g. `vault.localhost` (a child process resolves it with
   * `fixtures/localhost-subdomains.cjs`). Its parent domain is the resource of the bearer
   * challenge, so the real client accepts the challenge without `disableChallengeResourceVerification`.
   * @default 'localhost' (the challenge then names vault.azure.net, and clients must disable the check)
   */
  readonly host?: string;
  /** A certificate to serve, shared with other fakes (kept on close). @default a new one for `host` */
  readonly tls?: SelfSignedCertificate;
}

export async function startFakeVault(secrets: Record<string, string>, forbidden: string[] = [], options: FakeVaultOptions = {}): Promise<FakeVault> {
  const host = options.host ?? 'localhost';
  const resource = host === 'localhost' ? 'https://vault.azure.net' : `https://${host.slice(host.indexOf('.') + 1)}`;
  const tls = options.tls ?? selfSignedCertificate(host === 'localhost' ? [] : [host]);
  const requests: FakeVault['requests'] = [];
  let base = '';
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const url = new URL(req.url!, 'https://localhost');
    const traceparent = req.headers.traceparent;
    requests.push({
      path: url.pathname,
      auth: req.headers.authorization,
      apiVersion: url.searchParams.get('api-version'),
      ...(typeof traceparent === 'string' ? { traceparent } : {}),
    });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${VAULT_TOKEN}`) {
      return send(
        401,
        { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
        {
          'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="${resource}"`,
        },
      );
    }
    const m = /^\/secrets\/([0-9a-zA-Z-]+)\/?$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return send(400, { error: { code: 'BadParameter', message: 'Unsupported' } });
    const name = m[1]!;
    if (forbidden.includes(name))
      return send(403, { error: { code: 'Forbidden', message: 'Caller is not authorized to perform action on resource.' } });
    if (!(name in secrets))
      return send(404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name} was not found in this key vault.` } });
    send(200, {
      value: secrets[name],
      id: `${base}/secrets/${name}/0123456789abcdef`,
      contentType: 'text/plain',
      attributes: { enabled: true, created: 1700000000, updated: 1700000000, recoveryLevel: 'Recoverable+Purgeable' },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    ca: tls.cert,
    caFile: tls.certFile,
    requests,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          if (!options.tls) tls.remove();
          resolve();
        }),
      ),
  };
}

/** A TokenCredential as the Azure SDK defines it; records the scopes it was asked for. */
export function staticCredential(scopes: string[][] = []): TokenCredential {
  return {
    getToken: async (scope) => {
      scopes.push(Array.isArray(scope) ? scope : [scope]);
      return { token: VAULT_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/**
 * A local stand-in for App Service's managed identity endpoint, which `DefaultAzureCredential`
 * uses when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set: a child process started with `env`
 * gets `VAULT_TOKEN` for any resource, with no Entra ID involved.
 */
export async function startFakeManagedIdentity(): Promise<{ env: Record<string, string>; resources: string[]; close(): Promise<void> }> {
  const resources: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://127.0.0.1');
    if (req.headers['x-identity-header'] !== 'test-identity-header') return void res.writeHead(401).end();
    resources.push(url.searchParams.get('resource') ?? '');
    const expiresOn = String(Math.floor(Date.now() / 1000) + 3600);
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ access_token: VAULT_TOKEN, expires_on: expiresOn, resource: url.searchParams.get('resource'), token_type: 'Bearer' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    env: { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: 'test-identity-header' },
    resources,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
