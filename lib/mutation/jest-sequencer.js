// Jest's test sequencer for Stryker's runs (stryker.jest.config.js): a mutant is run against
// the test files that reach it, its own module's test file first.
//
// Stryker's jest runner runs a mutant with `--findRelatedTests <mutated file>` and, when
// per-test coverage names its tests, `testNamePattern`. Jest then still loads every test file
// that imports the file, directly or not (13 for csrf.ts), and skips their other tests only
// after loading them; a mutant reached while modules load or in `beforeAll` ("static") runs
// every test of all of them. Loading them cost most of each mutant's time, and pushed runs
// past Stryker's timeout, so mutants no test had seen were reported as timed out (and counted
// as detected).
//
// jest-environment.js records, in the dry run, which mutants each test file reaches; this
// sequencer keeps the files that reach the active mutant (and any file the record does not
// know): a file that never reaches a mutant cannot see it, so no result changes. The order
// puts first the file most likely to fail, so that jest-circus-runner.js can skip the rest:
// the mutated module's own test file, then the file that failed for the last mutant, then
// the quickest.
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const { activeMutant, run, readRecord } = require('./run-state');

const stem = (file) => path.basename(file).replace(/(\.test)?\.[cm]?[jt]s$/, '');

class MutationTestSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.rootDir = options.globalConfig.rootDir;
    this.mutated = new Set((options.globalConfig.nonFlagArgs ?? []).map(stem));
  }

  async sort(tests) {
    run.failedFile = undefined;
    if (activeMutant() === undefined) return super.sort(tests);
    const record = readRecord(this.rootDir);
    if (!record) return super.sort(tests);
    const rank = (test) => [this.mutated.has(stem(test.path)) ? 0 : 1, test.path === run.lastKiller ? 0 : 1, record[test.path]?.ms ?? 0];
    const before = (a, b) => {
      const [x, y] = [rank(a), rank(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    };
    return tests.filter((test) => !record[test.path] || record[test.path].mutants.includes(activeMutant())).sort(before);
  }
}

module.exports = MutationTestSequencer;
