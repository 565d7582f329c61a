/**
 * Smoke test of a running order app: connectivity, the list page, and an order created
 * through the API that is then readable and listed.
 *
 *   npm run smoke -- --url http://127.0.0.1:5000
 *   npm run smoke -- --port-forward orders/order-app     (through kubectl, for a ClusterIP Service)
 *
 * Prints one line per check; exits 0 when all pass, 1 when one fails, 2 on bad arguments.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs, usage, UsageError, wholeNumber } from '../../lib/cli-args';
import { runSmoke, type CheckResult } from './smoke-checks';

const FLAGS = {
  url: 'base URL of the app, e.g. http://10.0.2.50',
  'port-forward': '<namespace>/<service>: reach the Service through `kubectl port-forward` instead of --url',
  kubectl: 'kubectl binary for --port-forward (default: kubectl on PATH)',
  'ready-timeout': 'seconds to wait for /readyz to answer 200 (default 120)',
};

/** Starts `kubectl port-forward` to the Service's `http` port; resolves with the local URL. */
function portForward(kubectl: string, target: string): Promise<{ url: string; child: ChildProcess }> {
  const m = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(target);
  if (!m) throw new UsageError(`--port-forward must be <namespace>/<service>, e.g. orders/order-app; got ${JSON.stringify(target)}.`);
  const child = spawn(kubectl, ['-n', m[1]!, 'port-forward', `svc/${m[2]!}`, ':http'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl port-forward did not start within 30 s: ${output.trim()}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const f = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (f) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${f[1]}`, child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${kubectl}: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward exited with ${code}: ${output.trim()}`));
    });
  });
}

const line = (r: CheckResult) => `${r.ok ? 'PASS' : r.detail.startsWith('skipped') ? 'SKIP' : 'FAIL'}  ${r.name}  (${r.ms} ms)  ${r.detail}\n`;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  const readyTimeoutSeconds = wholeNumber('ready-timeout', args['ready-timeout'], 0, 3600, 120);
  if (args.help) {
    process.stdout.write(usage('npm run smoke -- (--url <base> | --port-forward <namespace>/<service>) [options]', FLAGS));
    return 0;
  }
  if ((args.url === undefined) === (args['port-forward'] === undefined))
    throw new UsageError('Give exactly one of --url <base> or --port-forward <namespace>/<service>.');
  let forward: ChildProcess | undefined;
  let baseUrl = args.url;
  if (baseUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw new UsageError(`--url must be an http(s) URL such as http://127.0.0.1:5000; got ${JSON.stringify(baseUrl)}.`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol)) throw new UsageError(`--url must use http or https; got ${JSON.stringify(baseUrl)}.`);
  } else {
    const pf = await portForward(args.kubectl ?? 'kubectl', args['port-forward']!);
    forward = pf.child;
    baseUrl = pf.url;
  }
  try {
    process.stdout.write(`smoke test of ${baseUrl}${forward ? ` (port-forward to ${args['port-forward']})` : ''}\n`);
    const results = await runSmoke({ baseUrl: baseUrl!, readyTimeoutSeconds, onResult: (r) => process.stdout.write(line(r)) });
    const failed = results.filter((r) => !r.ok);
    process.stdout.write(
      failed.length === 0
        ? `smoke: all ${results.length} checks passed\n`
        : `smoke: FAILED (${results.length - failed.length} of ${results.length} checks passed)\n`,
    );
    return failed.length === 0 ? 0 : 1;
  } finally {
    forward?.kill();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`smoke: ${err.message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
