import { AppContract } from './app-contract';
import type { AppConfig } from './config';
import { SecretReadError } from './secrets/key-vault-secrets';
import { StoreSetupError, StoreUnavailableError } from './store/store-errors';

const E = AppContract.env;

/**
 * What to tell the person who started the app when it cannot start: one plain sentence that
 * names the setting and what to do, or undefined for a failure we cannot explain (a bug;
 * then the stack trace is worth its noise).
 */
export function startupFailureMessage(err: unknown, config: Pick<AppConfig, 'port' | 'host'>): string | undefined {
  if (err instanceof StoreSetupError) return err.message;
  // Names the secret, the vault and what is wrong with it (missing, not readable, malformed); never its value.
  if (err instanceof SecretReadError) return err.message;
  if (err instanceof StoreUnavailableError) return err.reason;
  const e = err as { code?: unknown; syscall?: unknown };
  if (e.syscall === 'listen') {
    const where = `port ${config.port} on ${config.host}`;
    switch (e.code) {
      case 'EADDRINUSE':
        return `Cannot listen on ${where}: another program already uses it; set ${E.port} to a free port, or stop the other program.`;
      case 'EACCES':
        return (
          `Cannot listen on ${where}: this user may not open ports below 1024; ` +
          `set ${E.port} to 1024 or above (the default is ${AppContract.port}).`
        );
      case 'EADDRNOTAVAIL':
        return (
          `Cannot listen on ${where}: ${config.host} is not an address of this machine; ` +
          `set ${E.host} to one of its addresses, or to 0.0.0.0 for all.`
        );
      default:
        return undefined;
    }
  }
  return undefined;
}
