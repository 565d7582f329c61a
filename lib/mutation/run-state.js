// What Stryker's runs in one test runner process share between the sequencer, the test
// environment and the test framework wrapper (all loaded by Jest into that process), and the
// record the dry run leaves for the other processes.
const fs = require('node:fs');
const path = require('node:path');

/** The environment variable Stryker's jest runner sets to the active mutant's id. */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

/** The active mutant's id; undefined in the dry run. */
const activeMutant = () => process.env[ACTIVE_MUTANT];

/** This run: whether a test file has failed yet, and which one. */
const run = (globalThis[Symbol.for('order-platform.mutation.run')] ??= { failedFile: undefined, lastKiller: undefined });

/**
 * The dry run's record, in Stryker's sandbox (Jest's rootDir) so every test runner process
 * reads the same: for each test file, the mutants it reached and how long it took.
 */
const recordFileOf = (rootDir) => path.join(rootDir, '.stryker-test-files.json');

/** @returns {Record<string, { mutants: string[], ms: number }> | undefined} */
function readRecord(rootDir) {
  try {
    return JSON.parse(fs.readFileSync(recordFileOf(rootDir), 'utf8'));
  } catch {
    return undefined;
  }
}

function addToRecord(rootDir, testPath, entry) {
  const record = readRecord(rootDir) ?? {};
  record[testPath] = entry;
  // Written whole and renamed, so a runner reading it meanwhile never sees half of it.
  const partial = `${recordFileOf(rootDir)}.${process.pid}`;
  fs.writeFileSync(partial, JSON.stringify(record));
  fs.renameSync(partial, recordFileOf(rootDir));
}

module.exports = { activeMutant, run, readRecord, addToRecord };
