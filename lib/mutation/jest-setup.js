// Set up for each test file in Stryker's runs (stryker.jest.config.js): a fast-check property
// that fails for a mutant stops there instead of shrinking its counterexample (hundreds more
// runs that only make the report's example smaller). Passing and failing stay the same.
const { readFileSync } = require('node:fs');

if (readFileSync(globalThis.expect.getState().testPath, 'utf8').includes("from 'fast-check'")) {
  require('fast-check').configureGlobal({ endOnFailure: true });
}
