import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { AppContract } from '../src/app-contract';
import { loadConfig } from '../src/config';
import { readAuthSecrets, readDatabaseSecrets } from '../src/secrets/key-vault-secrets';
import { createOrderStore } from '../src/store/create-order-store';

/**
 * A local HTTPS endpoint that answers like Key Vault's secrets REST API (challenge-based
 * bearer auth, GET /secrets/{name}/), so the real SecretClient is exercised end to end.
 */
interface FakeVault {
  readonly url: string;
  readonly ca: string;
  readonly requests: { path: string; auth?: string; apiVersion: string | null }[];
  close(): Promise<void>;
}

const TOKEN = 'test-access-token';

async function startFakeVault(secrets: Record<string, string>, forbidden: string[] = []): Promise<FakeVault> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${dir}/key.pem`,
      '-out',
      `${dir}/cert.pem`,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const key = fs.readFileSync(`${dir}/key.pem`, 'utf8');
  const cert = fs.readFileSync(`${dir}/cert.pem`, 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  const requests: FakeVault['requests'] = [];
  let base = '';
  const server = https.createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url!, 'https://localhost');
    requests.push({ path: url.pathname, auth: req.headers.authorization, apiVersion: url.searchParams.get('api-version') });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return send(
        401,
        { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
        {
          'WWW-Authenticate':
            'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
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
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
  return { url: base, ca: cert, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A TokenCredential as the Azure SDK defines it; records the scopes it was asked for. */
function staticCredential(scopes: string[][]): TokenCredential {
  return {
    getToken: async (scope) => {
      scopes.push(Array.isArray(scope) ? scope : [scope]);
      return { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

const names = AppContract.secretNames;
const all = {
  [names.server]: 'orders-sql.database.windows.net',
  [names.database]: 'orders',
  [names.user]: 'app_user',
  [names.password]: 'generated-in-test',
};

describe('database settings from Key Vault through the real SecretClient', () => {
  let vault: FakeVault;
  // Unset when a test failed before starting its vault.
  afterEach(async () => (vault as FakeVault | undefined)?.close());

  const options = (scopes: string[][]) => ({
    credential: staticCredential(scopes),
    clientOptions: { tlsOptions: { ca: vault.ca }, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } },
  });

  test('Entra login reads only the server and database name, after the bearer challenge', async () => {
    vault = await startFakeVault(all);
    const scopes: string[][] = [];
    const secrets = await readDatabaseSecrets({ url: vault.url, secretNames: names }, 'entra', options(scopes));
    expect(secrets).toEqual({ server: 'orders-sql.database.windows.net', database: 'orders' });
    expect(scopes[0]).toEqual(['https://vault.azure.net/.default']);
    const authed = vault.requests
      .filter((r) => r.auth === `Bearer ${TOKEN}`)
      .map((r) => r.path)
      .sort();
    expect(authed).toEqual([`/secrets/${names.database}/`, `/secrets/${names.server}/`]);
    expect(vault.requests.every((r) => r.apiVersion)).toBe(true);
  });

  test('password login also reads the user and password', async () => {
    vault = await startFakeVault(all);
    const secrets = await readDatabaseSecrets({ url: vault.url, secretNames: names }, 'password', options([]));
    expect(secrets).toEqual({ server: all[names.server], database: 'orders', user: 'app_user', password: 'generated-in-test' });
  });

  test('custom secret names are honoured', async () => {
    vault = await startFakeVault({ 'sql-host': 'h', 'sql-db': 'd' });
    const secrets = await readDatabaseSecrets(
      { url: vault.url, secretNames: { ...names, server: 'sql-host', database: 'sql-db' } },
      'entra',
      options([]),
    );
    expect(secrets).toEqual({ server: 'h', database: 'd' });
  });

  test('a missing secret is a clear error naming the secret and the vault, not its value', async () => {
    vault = await startFakeVault({ [names.server]: 's' });
    await expect(readDatabaseSecrets({ url: vault.url, secretNames: names }, 'entra', options([]))).rejects.toThrow(
      `Key Vault secret "${names.database}" in ${vault.url} does not exist.`,
    );
  });

  test('sign-in secrets: the session key is required, the client secret optional', async () => {
    vault = await startFakeVault({ [names.sessionKey]: 'k'.repeat(64) });
    expect(await readAuthSecrets({ url: vault.url, secretNames: names }, { sessionKey: true, clientSecret: true }, options([]))).toEqual({
      sessionKey: 'k'.repeat(64),
    });
    await vault.close();
    vault = await startFakeVault({ [names.oidcClientSecret]: 'from-vault' });
    await expect(readAuthSecrets({ url: vault.url, secretNames: names }, { sessionKey: true, clientSecret: true }, options([]))).rejects.toThrow(
      `Key Vault secret "${names.sessionKey}" in ${vault.url} does not exist.`,
    );
    expect(await readAuthSecrets({ url: vault.url, secretNames: names }, { sessionKey: false, clientSecret: true }, options([]))).toEqual({
      clientSecret: 'from-vault',
    });
  });

  test('a secret the identity may not read says which role is needed', async () => {
    vault = await startFakeVault(all, [names.password]);
    await expect(readDatabaseSecrets({ url: vault.url, secretNames: names }, 'password', options([]))).rejects.toThrow(
      'needs the Key Vault Secrets User role',
    );
  });

  test('an untrusted certificate is refused (TLS is verified)', async () => {
    vault = await startFakeVault(all);
    await expect(
      readDatabaseSecrets({ url: vault.url, secretNames: names }, 'entra', {
        credential: staticCredential([]),
        clientOptions: { disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } },
      }),
    ).rejects.toThrow(/could not be read/);
  });

  test('with KEY_VAULT_URL set, the store factory builds a SQL Server store from the vault', async () => {
    vault = await startFakeVault(all);
    const config = loadConfig({ NODE_ENV: 'production', KEY_VAULT_URL: vault.url });
    const store = await createOrderStore(config, { secrets: options([]) });
    expect(store.kind).toBe('mssql');
    await store.close();
  });
});
