import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startupFailureMessage } from '../src/startup-failure';
import { StoreSetupError } from '../src/store/store-errors';
import { runServerToExit } from './process-helpers';

const STACK = /"stack"|(\n|\\n)\s+at /;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-start-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What a failed start must look like: exit 1, one plain sentence on stderr, no stack trace anywhere. */
function expectOneSentence(run: ReturnType<typeof runServerToExit>): string {
  expect(run.status).toBe(1);
  const lines = run.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^Could not start: [^\n]+\.$/);
  expect(`${run.stdout}${run.stderr}`).not.toMatch(STACK);
  return lines[0]!;
}

test('a port already in use stops the start with one sentence naming PORT and what to do', async () => {
  const other = net.createServer();
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const port = (other.address() as net.AddressInfo).port;
  try {
    const line = expectOneSentence(runServerToExit({ PORT: String(port), HOST: '127.0.0.1', SQLITE_PATH: path.join(dir, 'orders.db') }));
    expect(line).toBe(
      `Could not start: Cannot listen on port ${port} on 127.0.0.1: another program already uses it; ` +
        'set PORT to a free port, or stop the other program.',
    );
  } finally {
    other.close();
  }
}, 40_000);

test('a database path that is a folder (SQLITE_CANTOPEN) stops the start with one sentence naming SQLITE_PATH', () => {
  const line = expectOneSentence(runServerToExit({ SQLITE_PATH: dir }));
  expect(line).toContain(`SQLITE_PATH=${dir} cannot be opened as a SQLite database (SQLITE_CANTOPEN`);
  expect(line).toContain('set SQLITE_PATH to a database file');
}, 40_000);

test('a database folder that cannot be created stops the start with one sentence naming SQLITE_PATH', () => {
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, '');
  const line = expectOneSentence(runServerToExit({ SQLITE_PATH: path.join(file, 'orders.db') }));
  expect(line).toMatch(
    new RegExp(`SQLITE_PATH=${file}/orders.db: its folder \\(${file}\\) cannot be created \\((EEXIST|ENOTDIR)\\); set SQLITE_PATH`),
  );
}, 40_000);

test.each([
  ['EACCES', 'set PORT to 1024 or above (the default is 5000).'],
  ['EADDRNOTAVAIL', '10.9.9.9 is not an address of this machine; set HOST to one of its addresses, or to 0.0.0.0 for all.'],
])('a listen error %s is explained by the setting to change', (code, advice) => {
  const err = Object.assign(new Error(code), { code, syscall: 'listen' });
  expect(startupFailureMessage(err, { port: 80, host: '10.9.9.9' })).toMatch(
    new RegExp(`^Cannot listen on port 80 on 10.9.9.9: .*${advice.replace(/[.()]/g, '\\$&')}$`),
  );
});

test('store setup errors give their own message; an unknown failure is left to the stack trace', () => {
  expect(startupFailureMessage(new StoreSetupError('SQLITE_PATH=x: why; what to do.'), { port: 1, host: 'h' })).toBe(
    'SQLITE_PATH=x: why; what to do.',
  );
  expect(startupFailureMessage(new TypeError('a bug'), { port: 1, host: 'h' })).toBeUndefined();
  expect(startupFailureMessage(Object.assign(new Error('x'), { code: 'ECONNRESET', syscall: 'listen' }), { port: 1, host: 'h' })).toBeUndefined();
});
