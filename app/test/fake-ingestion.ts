import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { selfSignedCertificate, type SelfSignedCertificate } from './self-signed-certificate';

/** One Application Insights telemetry item, as the exporter sends it (the parts the tests read). */
export interface Envelope {
  readonly name: string;
  readonly iKey?: string;
  readonly instrumentationKey?: string;
  readonly tags?: Record<string, string>;
  readonly data?: { readonly baseType?: string; readonly baseData?: Record<string, unknown> & { properties?: Record<string, string> } };
}

/**
 * A local HTTPS endpoint that accepts Application Insights ingestion calls as the Breeze
 * service does: `POST /v2.1/track` with a gzip-compressed (or plain) JSON array of envelopes,
 * answered 200 with `{"itemsReceived":n,"itemsAccepted":n,"errors":[]}`. The exporter insists
 * on https (it rewrites an `http://` IngestionEndpoint), so it serves a self-signed certificate,
 * which a child process trusts through `NODE_EXTRA_CA_CERTS=caFile`.
 */
export interface FakeIngestion {
  /** For `IngestionEndpoint=` in a connection string. */
  readonly url: string;
  readonly caFile: string;
  /** Every envelope received, in order. */
  readonly envelopes: Envelope[];
  /** Every request body as received on the wire after decompression, to search for what must never be sent. */
  readonly rawBodies: string[];
  /** Requests to other paths (none expected). */
  readonly otherRequests: string[];
  /** A connection string with this endpoint and the given instrumentation key. */
  connectionString(instrumentationKey: string): string;
  close(): Promise<void>;
}

/** `tls`: a certificate to serve, shared with other fakes (kept on close); by default a new one. */
export async function startFakeIngestion(options: { tls?: SelfSignedCertificate } = {}): Promise<FakeIngestion> {
  const tls = options.tls ?? selfSignedCertificate();
  const envelopes: Envelope[] = [];
  const rawBodies: string[] = [];
  const otherRequests: string[] = [];
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || new URL(req.url!, 'https://localhost').pathname !== '/v2.1/track') {
        otherRequests.push(`${req.method} ${req.url}`);
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
      rawBodies.push(text);
      const items = JSON.parse(text) as Envelope[];
      envelopes.push(...items);
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    caFile: tls.certFile,
    envelopes,
    rawBodies,
    otherRequests,
    connectionString: (key) => `InstrumentationKey=${key};IngestionEndpoint=${url}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          if (!options.tls) tls.remove();
          resolve();
        });
      }),
  };
}
