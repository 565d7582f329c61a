/**
 * Entry point: reads the configuration, starts the app, and drains on SIGTERM/SIGINT.
 * Run with `npm start` (development) or `node dist/app/server.js` (the container).
 */
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startRuntime } from './runtime';
import { startupFailureMessage } from './startup-failure';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let runtime;
  try {
    runtime = await startRuntime(config, logger);
  } catch (err) {
    const message = startupFailureMessage(err, config);
    if (message) {
      // One sentence that says what to change; a stack trace would only hide it.
      logger.fatal({ code: (err as { code?: unknown }).code }, `could not start: ${message}`);
      process.stderr.write(`Could not start: ${message}\n`);
      process.exit(1);
    }
    logger.fatal({ err }, 'could not start');
    process.exit(1);
  }
  if (config.env !== 'production') process.stdout.write(`\nOrder app running at ${runtime.url}/\n\n`);
  const stop = (signal: string): void => {
    runtime
      .shutdown(signal)
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
