// The jest configuration Stryker runs each mutant against: the repo's own, without the tests
// that start browsers, child processes or SQL Server (they cover no guarded module's logic
// that the unit and HTTP tests do not, and would make every mutant take seconds), and without
// the suites that synthesize whole stacks (infra/, monitoring/, deploy-model/: seconds per
// file, and they reach the platform model's mutants only while building their fixtures; the
// guarded modules' own tests pin their rules). lib/mutation/ runs each mutant against the test
// files that reach it, its own module's tests first, and stops at the first failing test.
const path = require('node:path');
const base = require('./jest.config.js');

const lib = (file) => path.join(__dirname, 'lib', 'mutation', file);

module.exports = {
  ...base,
  testPathIgnorePatterns: [
    ...(base.testPathIgnorePatterns ?? ['/node_modules/']),
    '\\.e2e\\.test\\.ts$',
    '/app/test/(production-install|seed-script|shutdown|smoke-script|slow-requests)\\.test\\.ts$',
    '/app/test/(sqlite-faults|mssql-faults|mssql-order-store|startup-failure)\\.test\\.ts$',
    '/(infra|monitoring|deploy-model)/test/',
    '/k8s/test/synth-k8s-script\\.test\\.ts$',
    '/ops/test/',
  ],
  // Absolute paths: Stryker resolves the environment itself, without Jest's <rootDir>.
  testEnvironment: lib('jest-environment.js'),
  testSequencer: lib('jest-sequencer.js'),
  testRunner: lib('jest-circus-runner.js'),
  setupFilesAfterEnv: [...(base.setupFilesAfterEnv ?? []), lib('jest-setup.js')],
  reporters: ['default'],
};
