// The jest configuration Stryker runs each mutant against: the repo's own, without the tests
// that start browsers, child processes or SQL Server (they cover no guarded module's logic
// that the unit and HTTP tests do not, and would make every mutant take seconds).
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testPathIgnorePatterns: [
    ...(base.testPathIgnorePatterns ?? ['/node_modules/']),
    '\\.e2e\\.test\\.ts$',
    '/app/test/(production-install|seed-script|shutdown|smoke-script|slow-requests)\\.test\\.ts$',
    '/app/test/(sqlite-faults|mssql-faults|mssql-order-store|startup-failure)\\.test\\.ts$',
    '/infra/test/(terraform-stacks|hcl-synth)\\.test\\.ts$',
    '/k8s/test/synth-k8s-script\\.test\\.ts$',
    '/deploy-model/test/check-deploy-script\\.test\\.ts$',
    '/ops/test/',
  ],
  reporters: ['default'],
};
