import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, startServer } from './process-helpers';

// What app/Dockerfile does, without a Docker engine: compile, install production
// dependencies only into a clean folder, start `node dist/app/server.js`, probe /readyz.
test('the compiled app runs from a production-only install (npm ci --omit=dev) and gets ready', async () => {
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
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 600_000);
