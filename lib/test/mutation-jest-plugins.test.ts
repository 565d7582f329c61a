import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The Jest plugins Stryker's runs use (stryker.jest.config.js) are CommonJS, as Jest loads them.
/* eslint-disable @typescript-eslint/no-require-imports */
const Sequencer = require('../mutation/jest-sequencer.js') as new (options: { contexts: unknown[]; globalConfig: object }) => {
  sort(tests: { path: string; context: object }[]): Promise<{ path: string }[]>;
};
const mutationJestCircus = require('../mutation/jest-circus-runner.js') as (
  ...args: unknown[]
) => Promise<{ skipped: boolean; testResults: unknown[] }>;
const { run } = require('../mutation/run-state.js') as { run: { failedFile?: string; lastKiller?: string } };
/* eslint-enable @typescript-eslint/no-require-imports */

const ACTIVE = '__STRYKER_ACTIVE_MUTANT__';
let rootDir: string;

beforeEach(() => {
  rootDir = mkdtempSync(join(tmpdir(), 'mutation-plugins-'));
  writeFileSync(
    join(rootDir, '.stryker-test-files.json'),
    JSON.stringify({
      '/t/http-pages.test.ts': { mutants: ['1', '2'], ms: 900 },
      '/t/config.test.ts': { mutants: ['2'], ms: 300 },
      '/t/auth.test.ts': { mutants: ['1', '2'], ms: 500 },
      '/t/list-cache.test.ts': { mutants: ['3'], ms: 100 },
    }),
  );
  run.failedFile = run.lastKiller = undefined;
});
afterEach(() => {
  delete process.env[ACTIVE];
  rmSync(rootDir, { recursive: true, force: true });
});

const sequencer = (mutated: string) => new Sequencer({ contexts: [], globalConfig: { rootDir, nonFlagArgs: [mutated] } });
// Jest's own order (the dry run's) reads each file's context; no cache here.
const paths = async (mutated: string, files: string[]) =>
  (await sequencer(mutated).sort(files.map((path) => ({ path, context: { config: { cache: false }, hasteFS: { getSize: () => 0 } } })))).map(
    (t) => t.path,
  );
const ALL = ['/t/http-pages.test.ts', '/t/config.test.ts', '/t/auth.test.ts', '/t/list-cache.test.ts', '/t/new.test.ts'];

test('a mutant runs the test files that reached it in the dry run, and files the dry run did not see; the quickest first', async () => {
  process.env[ACTIVE] = '1';
  expect(await paths('/src/csrf.ts', ALL)).toEqual(['/t/new.test.ts', '/t/auth.test.ts', '/t/http-pages.test.ts']);
});

test("the mutated module's own test file runs first, then the file that failed for the last mutant", async () => {
  process.env[ACTIVE] = '2';
  expect(await paths('/src/config.ts', ALL)).toEqual(['/t/config.test.ts', '/t/new.test.ts', '/t/auth.test.ts', '/t/http-pages.test.ts']);
  run.lastKiller = '/t/http-pages.test.ts';
  expect(await paths('/src/csrf.ts', ALL)).toEqual(['/t/http-pages.test.ts', '/t/new.test.ts', '/t/config.test.ts', '/t/auth.test.ts']);
});

test('the dry run (no active mutant) runs every file', async () => {
  expect((await paths('/src/csrf.ts', ALL)).sort()).toEqual([...ALL].sort());
});

test('once a test has failed for a mutant, the next files are reported skipped without being loaded', async () => {
  process.env[ACTIVE] = '1';
  await sequencer('/src/csrf.ts').sort([]);
  run.failedFile = '/t/auth.test.ts';
  const result = await mutationJestCircus({}, {}, {}, {}, '/t/http-pages.test.ts', () => undefined);
  expect(result).toMatchObject({ skipped: true, numPendingTests: 1, testFilePath: '/t/http-pages.test.ts' });
  expect(result.testResults).toHaveLength(1);
  await sequencer('/src/csrf.ts').sort([]);
  expect(run.failedFile).toBeUndefined();
});
