/**
 * Entry point: reads the configuration, starts tracing when configured, starts the app, and
 * drains on SIGTERM/SIGINT. Run with `npm start` (development) or `node dist/app/server.js`
 * (the container).
 *
 * Only the configuration, the logger and tracing are imported up front: the runtime (Express,
 * the database drivers) is loaded after `startTracing`, so that the instrumentations see those
 * modules being required.
 */
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startupFailureMessage } from './startup-failure';
import { startTracing, type Tracing } from './tracing/start-tracing';

/** How long a signal received while starting waits for the start to finish before the process exits. */
const STOP_WHILE_STARTING_MS = 5000;

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
  const failed = (err: unknown): never => {
    const message = startupFailureMessage(err, config);
    if (message) {
      // One sentence that says what to change; a stack trace would only hide it.
      logger.fatal({ code: (err as { code?: unknown }).code }, `could not start: ${message}`);
      process.stderr.write(`Could not start: ${message}\n`);
      process.exit(1);
    }
    logger.fatal({ err }, 'could not start');
    process.exit(1);
  };
  let tracing: Tracing | undefined;
  let runtime: Awaited<ReturnType<typeof import('./runtime').startRuntime>> | undefined;
  // Listened for from the start: a signal while starting (even just after "order app ready")
  // waits for the start to finish and then drains, instead of killing the process mid-request.
  let pendingSignal: string | undefined;
  let startDeadline: NodeJS.Timeout | undefined;
  const stop = (signal: string): void => {
    if (!runtime || !tracing) {
      pendingSignal ??= signal;
      // Nothing is served before the start finishes; a start that hangs (a database that does
      // not answer) is not waited for.
      startDeadline ??= setTimeout(() => {
        logger.warn({ signal }, 'stopped while starting');
        process.exit(1);
      }, STOP_WHILE_STARTING_MS);
      return;
    }
    clearTimeout(startDeadline);
    const traces = tracing;
    runtime
      .shutdown(signal)
      // The last requests' spans are still buffered: send them before exiting.
      .then(() => traces.shutdown())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    tracing = await startTracing(config, logger);
    const { startRuntime } = await import('./runtime');
    runtime = await startRuntime(config, logger, { tracing: tracing.enabled });
  } catch (err) {
    return failed(err);
  }
  if (config.env !== 'production') process.stdout.write(`\nOrder app running at ${runtime.url}/\n\n`);
  if (pendingSignal) stop(pendingSignal);
}

void main();
