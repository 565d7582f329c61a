import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { diag, DiagLogLevel, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { AppContract } from '../app-contract';
import type { AppConfig } from '../config';
import { matchedRoute } from '../http/matched-route';
import { redactLogText } from '../logger';
import { readTracingSecret, SecretReadError, type ReadSecretsOptions } from '../secrets/key-vault-secrets';
import { connectionStringProblem } from './connection-string-problem';
import { RedactingSpanProcessor } from './redacting-span-processor';

/** Whether traces are sent, and where the connection string came from. */
export type TracingState = 'off' | 'no-connection-string' | 'environment' | 'key-vault';

export interface Tracing {
  readonly state: TracingState;
  /** True when spans are recorded and exported. */
  readonly enabled: boolean;
  /** Sends what is buffered and stops the exporters (part of the shutdown). */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  /** Passed to the Key Vault client that reads the connection string (tests: a local vault). */
  readonly secrets?: ReadSecretsOptions;
}

/** Probes and scrapes arrive every few seconds from the kubelet and Prometheus: never traced (nor logged). */
const UNTRACED_PATHS = new Set<string>(Object.values(AppContract.paths));

/** A diagnostic of @opentelemetry/resources that the distro triggers at every span until the first export. */
const UNSETTLED_RESOURCE = 'Accessing resource attributes before async attributes settled';

/** The Azure SDK's clients say who they are in the user agent (`azsdk-js-keyvault-secrets/4.11.2 ...`). */
function isAzureSdkRequest(headers: OutgoingHttpHeaders | readonly string[] | undefined): boolean {
  if (!headers || Array.isArray(headers)) return false;
  return Object.entries(headers).some(([name, value]) => name.toLowerCase() === 'user-agent' && String(value).includes('azsdk-js-'));
}

const notTracing = (state: TracingState): Tracing => ({ state, enabled: false, shutdown: () => Promise.resolve() });

/**
 * Sends traces to Application Insights through the Azure Monitor OpenTelemetry distro, when
 * `TRACING` is on and a connection string is found: `APPLICATIONINSIGHTS_CONNECTION_STRING`,
 * else the vault's `appinsights-connection-string` secret (absent: no traces). Otherwise the
 * distro is never loaded and nothing is sent.
 *
 * Must run before the rest of the app is loaded (`server.ts` imports the runtime after it):
 * the instrumentations patch `http` and the Azure SDK as they are required.
 *
 * What is traced: incoming requests named by their route (probes and `/metrics` left out),
 * Key Vault calls and managed identity token requests through the Azure SDK instrumentation,
 * other outgoing `http`/`https` requests, and the store's queries (`TracedOrderStore`). The
 * OIDC provider is reached with `fetch`, which the distro does not instrument. Every span passes through
 * `RedactingSpanProcessor` before export. Live Metrics, the SDK's own usage statistics
 * (statsbeat) and the exporter's disk cache are off: the app sends telemetry only to its own
 * resource and writes nothing to its small `/tmp`.
 */
export async function startTracing(config: AppConfig, logger: Logger, options: StartTracingOptions = {}): Promise<Tracing> {
  const E = AppContract.env;
  if (!config.tracing.enabled) {
    logger.info(`tracing off (${E.tracing}=off)`);
    return notTracing('off');
  }
  let connectionString = config.tracing.connectionString;
  let state: TracingState = 'environment';
  if (connectionString === undefined && config.keyVault) {
    const vault = config.keyVault;
    const clientId = config.database.driver === 'mssql' ? config.database.clientId : undefined;
    connectionString = await readTracingSecret(vault, { ...(clientId ? { managedIdentityClientId: clientId } : {}), ...options.secrets });
    const problem = connectionString === undefined ? undefined : connectionStringProblem(connectionString);
    if (problem) {
      throw new SecretReadError(
        `Key Vault secret "${vault.secretNames.appInsightsConnectionString}" in ${vault.url} ` +
          `is not an Application Insights connection string: ${problem}.`,
      );
    }
    state = 'key-vault';
  }
  if (connectionString === undefined) {
    logger.info(
      `tracing off: no connection string (${E.appInsightsConnectionString}` +
        `${config.keyVault ? `, or "${config.keyVault.secretNames.appInsightsConnectionString}" in Key Vault` : ''})`,
    );
    return notTracing('no-connection-string');
  }

  // Only the app's own resource receives telemetry: no SDK usage statistics to Microsoft's
  // endpoint (an operator may set the variable to '' to allow them).
  process.env.APPLICATION_INSIGHTS_NO_STATSBEAT ??= 'true';
  // The role name in the application map.
  process.env.OTEL_SERVICE_NAME ??= AppContract.appName;
  const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
  const http = {
    enabled: true,
    ignoreIncomingRequestHook: (req: IncomingMessage): boolean => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]!),
    // An Azure SDK call (Key Vault) is traced by the SDK's own instrumentation, named after the
    // service and operation; a second HTTP span for the same request would only double it.
    ignoreOutgoingRequestHook: (options: RequestOptions): boolean => isAzureSdkRequest(options.headers),
    // Called as a response finishes, after Express routed it: the span and the request take the route's name.
    applyCustomAttributesOnSpan: (span: Span, req: IncomingMessage | ClientRequest): void => {
      if (!('httpVersion' in req)) return; // an outgoing request
      const route = matchedRoute(req);
      if (!route) return;
      span.setAttribute('http.route', route);
      span.updateName(`${req.method ?? 'GET'} ${route}`);
    },
  };
  useAzureMonitor({
    // The exporter's disk cache may grow to 50 MB; the pod's /tmp is 64 MiB and evicts it beyond.
    azureMonitorExporterOptions: { connectionString, disableOfflineStorage: true },
    // Fixed-rate sampling by trace id: a request and its dependencies share one decision and one
    // rate. (The distro's default, 5 traces a second, gave a request's queries lower rates than
    // the request in a burst, which skews the counts Application Insights derives from them.)
    samplingRatio: config.tracing.samplingPercent / 100,
    tracesPerSecond: 0,
    enableLiveMetrics: false,
    instrumentationOptions: { http },
    spanProcessors: [new RedactingSpanProcessor()],
  });
  // The distro's diagnostics (export failures and the like) go to the JSON log, not raw to stdout.
  const diagnostics = logger.child({ component: 'opentelemetry' });
  const details = (args: unknown[]) => ({ details: args.map((a) => redactLogText(typeof a === 'string' ? a : inspect(a, { depth: 2 }))) });
  diag.setLogger(
    {
      // The distro's standard metrics read the resource as each span ends, before the host id
      // (read from a file) has been awaited, which only the first export does: harmless, and an
      // error line per span for the first seconds otherwise.
      error: (message, ...args) =>
        message === UNSETTLED_RESOURCE ? diagnostics.debug(message) : diagnostics.error(details(args), redactLogText(message)),
      warn: (message, ...args) => diagnostics.warn(details(args), redactLogText(message)),
      info: (message, ...args) => diagnostics.info(details(args), redactLogText(message)),
      debug: (message, ...args) => diagnostics.debug(details(args), redactLogText(message)),
      verbose: (message, ...args) => diagnostics.trace(details(args), redactLogText(message)),
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  // The Azure SDK instrumentation hooks @azure/core-tracing when it is next required; the
  // exporter (and, with Key Vault, the secret client) loaded it already, so require it once more
  // (a direct dependency, pinned to the version @azure/identity and the vault client share).
  createRequire(__filename)('@azure/core-tracing');
  logger.info({ source: state, samplingPercent: config.tracing.samplingPercent }, 'tracing on: traces go to Application Insights');
  return { state, enabled: true, shutdown: async () => shutdownAzureMonitor() };
}
