import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import type { KeyVaultConfig, MssqlAuth } from '../config';

/** The database settings the app keeps in Key Vault. */
export interface DatabaseSecrets {
  readonly server: string;
  readonly database: string;
  /** Only with password login. */
  readonly user?: string;
  readonly password?: string;
}

export interface ReadSecretsOptions {
  /** @default DefaultAzureCredential (the pod's workload identity on AKS, `az login` locally) */
  readonly credential?: TokenCredential;
  /** Passed to `SecretClient` (tests point it at a local endpoint with its own CA). */
  readonly clientOptions?: SecretClientOptions;
  /** Client id of a user-assigned managed identity. */
  readonly managedIdentityClientId?: string;
}

/** A secret could not be read. The message names the secret and the vault, never a value. */
export class SecretReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretReadError';
  }
}

/**
 * Reads the database settings from Key Vault with `DefaultAzureCredential` and the real
 * `SecretClient`. User and password are read only for password login; with Entra login the
 * app's identity signs in to SQL without any password.
 */
function secretReader(vault: KeyVaultConfig, options: ReadSecretsOptions): (name: string, optional?: boolean) => Promise<string | undefined> {
  const credential =
    options.credential ??
    new DefaultAzureCredential(options.managedIdentityClientId ? { managedIdentityClientId: options.managedIdentityClientId } : {});
  const client = new SecretClient(vault.url, credential, options.clientOptions);
  return async (name, optional = false) => {
    try {
      const secret = await client.getSecret(name);
      if (!secret.value) throw new SecretReadError(`Key Vault secret "${name}" in ${vault.url} has no value.`);
      return secret.value;
    } catch (err) {
      if (err instanceof SecretReadError) throw err;
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404 && optional) return undefined;
      const why =
        status === 404
          ? 'does not exist'
          : status === 403
            ? 'is not readable by this identity (needs the Key Vault Secrets User role)'
            : `could not be read (${(err as Error).message})`;
      throw new SecretReadError(`Key Vault secret "${name}" in ${vault.url} ${why}.`, { cause: err });
    }
  };
}

/** Sign-in secrets: the session signing key (required) and the OIDC client secret (optional). */
export async function readAuthSecrets(
  vault: KeyVaultConfig,
  need: { readonly sessionKey: boolean; readonly clientSecret: boolean },
  options: ReadSecretsOptions = {},
): Promise<{ sessionKey?: string; clientSecret?: string }> {
  const read = secretReader(vault, options);
  const [sessionKey, clientSecret] = await Promise.all([
    need.sessionKey ? read(vault.secretNames.sessionKey) : undefined,
    need.clientSecret ? read(vault.secretNames.oidcClientSecret, true) : undefined,
  ]);
  return { ...(sessionKey ? { sessionKey } : {}), ...(clientSecret ? { clientSecret } : {}) };
}

/** Where traces go: the Application Insights connection string, or undefined when the vault has none (no traces). */
export async function readTracingSecret(vault: KeyVaultConfig, options: ReadSecretsOptions = {}): Promise<string | undefined> {
  return secretReader(vault, options)(vault.secretNames.appInsightsConnectionString, true);
}

export async function readDatabaseSecrets(vault: KeyVaultConfig, auth: MssqlAuth, options: ReadSecretsOptions = {}): Promise<DatabaseSecrets> {
  const readOptional = secretReader(vault, options);
  const read = async (name: string): Promise<string> => (await readOptional(name))!;
  const names = vault.secretNames;
  const [server, database] = await Promise.all([read(names.server), read(names.database)]);
  if (auth === 'entra') return { server, database };
  const [user, password] = await Promise.all([read(names.user), read(names.password)]);
  return { server, database, user, password };
}
