// Jest's test environment for Stryker's runs (stryker.jest.config.js): Node's, plus
// - in the dry run, a record of the mutants each test file reaches, for jest-sequencer.js. The
//   dry run counts every mutant's hits in Stryker's shared instrumenter context (`__stryker__`),
//   while modules load and in hooks ("static") as in tests; the counts that grew while a file
//   ran are the mutants that file reaches;
// - for a mutant, once a test has failed, the run's remaining tests are skipped (in this file
//   here, in the next files by jest-circus-runner.js): one failing test is all Stryker needs to
//   call a mutant killed. Jest's own `bail` ends the process, so Stryker turns it off.
const { TestEnvironment } = require('jest-environment-node');
const { activeMutant, addToRecord, run } = require('./run-state');

function hits(coverage) {
  const counts = new Map();
  for (const byId of [coverage?.static ?? {}, ...Object.values(coverage?.perTest ?? {})]) {
    for (const [id, n] of Object.entries(byId)) counts.set(id, (counts.get(id) ?? 0) + n);
  }
  return counts;
}

class MutationTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    this.rootDir = config.globalConfig.rootDir;
  }

  strykerContext() {
    return this.global[this.global.__strykerGlobalNamespace__ ?? '__stryker__'];
  }

  async setup() {
    await super.setup();
    this.started = Date.now();
    this.before = hits(this.strykerContext()?.mutantCoverage);
  }

  handleTestEvent(event) {
    if (activeMutant() === undefined) return;
    if (event.name === 'test_start' && run.failedFile !== undefined) event.test.mode = 'skip';
    if (event.name === 'test_done' && event.test.errors.length > 0) run.failedFile = run.lastKiller = this.testPath;
  }

  async teardown() {
    const context = this.strykerContext();
    // Stryker's context is there in the dry run and for mutants run with a hit limit; only the dry run records.
    if (context && activeMutant() === undefined) {
      const mutants = [...hits(context.mutantCoverage)].filter(([id, n]) => n > (this.before.get(id) ?? 0)).map(([id]) => id);
      addToRecord(this.rootDir, this.testPath, { mutants, ms: Date.now() - this.started });
    }
    await super.teardown();
  }
}

module.exports = MutationTestEnvironment;
