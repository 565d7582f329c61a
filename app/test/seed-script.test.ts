import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ROOT } from './process-helpers';

const seed = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'app/scripts/seed.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH! },
  });

test('npm run seed -- --count N fills the database with N valid orders and reports progress', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-seed-'));
  const file = path.join(dir, 'orders.db');
  const run = seed(['--count', '45000', '--file', file, '--seed', '9']);
  expect(run.status).toBe(0);
  expect(run.stderr).toMatch(/100% 45,000\/45,000 orders/);
  expect(run.stderr).toContain('Inserted 45,000 orders');
  const db = new Database(file, { readonly: true });
  expect(db.prepare('SELECT COUNT(*) FROM orders').pluck().get()).toBe(45000);
  expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_orders_%'").pluck().get()).toBe(6);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test.each([
  [['--count', 'lots'], '--count must be a whole number from 1 to 10000000; got "lots".'],
  [['--count', '0'], '--count must be a whole number from 1 to 10000000; got "0".'],
  [['--rows', '5'], 'Unknown argument "--rows". Known: --count, --file, --seed.'],
  [['--count'], '--count needs a value'],
])('seed %j fails with a clear message and exit code 2', (args, message) => {
  const run = seed(args);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain(message);
});

test('seed --help prints usage', () => {
  expect(
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'app/scripts/seed.ts'), '--help'], { cwd: ROOT, encoding: 'utf8' }),
  ).toContain('Usage: npm run seed --');
});
