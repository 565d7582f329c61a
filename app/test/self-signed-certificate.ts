import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A fresh key and self-signed certificate for `localhost`, 127.0.0.1 and `hosts`, valid for a
 * day, made with openssl. Clients in this process trust it through `ca` options; a child
 * process through `NODE_EXTRA_CA_CERTS` pointing at `certFile` (deleted by `remove`).
 */
export interface SelfSignedCertificate {
  readonly key: string;
  readonly cert: string;
  readonly certFile: string;
  remove(): void;
}

export function selfSignedCertificate(hosts: readonly string[] = []): SelfSignedCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-'));
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
      `subjectAltName=${['DNS:localhost', ...hosts.map((h) => `DNS:${h}`), 'IP:127.0.0.1'].join(',')}`,
    ],
    { stdio: 'ignore' },
  );
  const key = fs.readFileSync(`${dir}/key.pem`, 'utf8');
  const cert = fs.readFileSync(`${dir}/cert.pem`, 'utf8');
  fs.rmSync(`${dir}/key.pem`);
  return { key, cert, certFile: `${dir}/cert.pem`, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
