import { AppContract } from '../src/app-contract';
import { loadConfig } from '../src/config';
import { readAuthSecrets, readDatabaseSecrets } from '../src/secrets/key-vault-secrets';
import { createOrderStore } from '../src/store/create-order-store';
import { startFakeVault, staticCredential, VAULT_TOKEN, type FakeVault } from './fake-key-vault';

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
      .filter((r) => r.auth === `Bearer ${VAULT_TOKEN}`)
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
