import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from './app';
import { noAuth, oidcAuth, type Auth } from './auth/auth';
import { AppContract } from './app-contract';
import type { AppConfig } from './config';
import { demoOrders } from './domain/demo-orders';
import { AppMetrics } from './http/metrics';
import { Readiness } from './http/readiness';
import { orderCreatedHook } from './service/order-created-hook';
import { readAuthSecrets } from './secrets/key-vault-secrets';
import { OrderService } from './service/order-service';
import { createOrderStore, type CreateOrderStoreOptions } from './store/create-order-store';
import type { OrderStore } from './store/order-store';
import { MssqlOrderStore } from './store/mssql-order-store';
import { SqliteOrderStore } from './store/sqlite-order-store';
import { TracedOrderStore } from './tracing/traced-order-store';

export interface RuntimeOptions extends CreateOrderStoreOptions {
  /** Whether traces are on (`startTracing`): then the service's store calls are spans. @default false */
  readonly tracing?: boolean;
}

export interface Runtime {
  readonly app: Express;
  readonly server: http.Server;
  readonly store: OrderStore;
  readonly readiness: Readiness;
  /** The address actually bound (port 0 picks a free one). */
  readonly url: string;
  /** Drains and stops: readiness 503, stop accepting, finish in-flight requests, close the pool. */
  shutdown(reason: string): Promise<void>;
}

/**
 * Opens the store, migrates it, seeds demo data when asked, and listens. Used by
 * `server.ts` and by tests that need a real server.
 */
export async function startRuntime(config: AppConfig, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const started = performance.now();
  const store = await createOrderStore(config, {
    ...options,
    retry: { ...options.retry, onRetry: (err, attempt) => logger.warn({ err, attempt }, 'transient database error; retrying') },
    onFault: (message) => logger.error(message),
  });
  const metrics = new AppMetrics();
  const readiness = new Readiness(() => store.ping());
  const db = config.database;
  // Named as the store connects (with Key Vault, the server and database come from the vault).
  const location = store instanceof MssqlOrderStore ? store.location : { database: db.driver === 'sqlite' ? path.basename(db.file) : undefined };
  const servedStore = options.tracing ? new TracedOrderStore(store, { databaseName: location.database, serverAddress: location.server }) : store;
  const service = new OrderService(servedStore, { onCreated: orderCreatedHook(metrics, logger) });
  let auth: Auth = noAuth();
  if (config.auth.mode === 'oidc') {
    let { sessionSecret, clientSecret } = config.auth;
    if (config.keyVault && (!sessionSecret || !clientSecret)) {
      const fromVault = await readAuthSecrets(
        config.keyVault,
        { sessionKey: !sessionSecret, clientSecret: !clientSecret },
        {
          ...options.secrets,
          ...(config.database.driver === 'mssql' && config.database.clientId ? { managedIdentityClientId: config.database.clientId } : {}),
        },
      );
      sessionSecret ??= fromVault.sessionKey;
      clientSecret ??= fromVault.clientSecret;
    }
    // Too short a key from the vault is refused by the cookie codec inside oidcAuth.
    if (!sessionSecret)
      throw new Error(
        `No session signing key: set ${AppContract.env.sessionSecret} or add ` +
          `"${config.keyVault?.secretNames.sessionKey ?? AppContract.secretNames.sessionKey}" to Key Vault.`,
      );
    auth = oidcAuth(config.auth, { logger, sessionSecret, revocations: store.sessionRevocations, ...(clientSecret ? { clientSecret } : {}) });
  }
  const app = createApp({
    auth,
    hstsMaxAgeSeconds: config.hstsMaxAgeSeconds,
    service,
    readiness,
    metrics,
    logger,
    writeRateLimitPerMinute: config.writeRateLimitPerMinute,
    trustProxy: config.trustProxy,
    maxConcurrentRequestBodies: config.maxConcurrentRequestBodies,
    listCacheMs: config.listCacheMs,
  });

  // A request (headers and body) must arrive within requestTimeoutSeconds, or the client
  // gets 408 and the connection is closed; Node checks every second (its default: 30 s).
  const requestTimeout = config.requestTimeoutSeconds * 1000;
  const server = http.createServer(
    { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
    app,
  );
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  // Listening early lets /healthz answer while the database is migrated; /readyz says 503 until done.
  await store.migrate();
  if (config.seedDemoOrders > 0 && store instanceof SqliteOrderStore) {
    const empty = (await store.page({ filter: {}, sort: { field: 'orderDate', direction: 'desc' }, skip: 0, limit: 1 })).length === 0;
    if (empty) {
      const n = await store.bulkLoad(demoOrders(config.seedDemoOrders));
      logger.info({ orders: n }, 'seeded an empty database with demo orders');
    }
  }
  readiness.markReady();
  logger.info({ url, store: store.kind, startMs: Math.round(performance.now() - started) }, 'order app ready');

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, 'draining');
      readiness.markDraining();
      if (config.shutdownDelaySeconds > 0) await new Promise((r) => setTimeout(r, config.shutdownDelaySeconds * 1000));
      const deadlineMs = AppContract.shutdown.drainTimeoutSeconds * 1000 - 1500;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        logger.warn('drain deadline reached; closing remaining connections');
        server.closeAllConnections();
      }, deadlineMs);
      await closed;
      clearTimeout(timer);
      await store.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  return { app, server, store, readiness, url, shutdown };
}
