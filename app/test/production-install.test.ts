import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeIngestion } from './fake-ingestion';
import { ROOT, startServer } from './process-helpers';

// What app/Dockerfile does, without a Docker engine: compile, install production
// dependencies only into a clean folder, start `node dist/app/server.js`, probe /readyz; then
// start it again with traces on, as the compiled CommonJS loads the runtime after the distro
// (the tsx runs of traces.e2e.test.ts load modules differently).
test('the compiled app runs from a production-only install (npm ci --omit=dev), gets ready, and sends traces when configured', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-image-'));
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(dir, 'dist/app')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    fs.cpSync(path.join(ROOT, 'app/public'), path.join(dir, 'dist/public'), { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      stdio: 'pipe',
      env: { ...process.env, NODE_ENV: 'production' },
    });

    // Only runtime packages were installed.
    expect(fs.existsSync(path.join(dir, 'node_modules/express'))).toBe(true);
    for (const dev of ['typescript', 'jest', 'cdktf', 'cdk8s', 'tsx']) expect(fs.existsSync(path.join(dir, 'node_modules', dev))).toBe(false);

    const { child, url } = await startServer(
      { NODE_ENV: 'production', DATABASE_DRIVER: 'sqlite', SQLITE_PATH: path.join(dir, 'data/orders.db'), HOST: '127.0.0.1' },
      path.join(dir, 'dist/app/server.js'),
      [],
    );
    try {
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('No orders yet');
      const css = await fetch(`${url}/static/app.css`);
      expect(css.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }

    const ingestion = await startFakeIngestion();
    try {
      const traced = await startServer(
        {
          NODE_ENV: 'production',
          DATABASE_DRIVER: 'sqlite',
          SQLITE_PATH: path.join(dir, 'data/orders.db'),
          HOST: '127.0.0.1',
          APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString('00000000-0000-4000-8000-00000000b001'),
          NODE_EXTRA_CA_CERTS: ingestion.caFile,
        },
        path.join(dir, 'dist/app/server.js'),
        [],
      );
      expect((await fetch(`${traced.url}/`)).status).toBe(200);
      traced.child.kill('SIGTERM');
      await new Promise((r) => traced.child.once('exit', r));
      const request = ingestion.envelopes.find((e) => e.data?.baseType === 'RequestData' && e.data.baseData?.name === 'GET /')!;
      expect(request.data!.baseData!.responseCode).toBe('200');
      const queries = ingestion.envelopes.filter(
        (e) => e.data?.baseType === 'RemoteDependencyData' && e.tags?.['ai.operation.id'] === request.tags!['ai.operation.id'],
      );
      expect(queries.map((q) => q.data!.baseData!.type)).toContain('SQL');
    } finally {
      await ingestion.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 600_000);
