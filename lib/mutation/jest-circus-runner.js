// Jest's test framework for Stryker's runs (stryker.jest.config.js): jest-circus, except that
// once a test has failed for the active mutant (jest-environment.js notes it), the run's
// remaining files are skipped unloaded. Survivors still run every test that reaches them.
// (Stryker's jest runner accepts per-test coverage only with a test framework named jest-circus.)
const circus = require('jest-circus/runner').default;
const { createEmptyTestResult } = require('@jest/test-result');
const { activeMutant, run } = require('./run-state');

/** A file's result that says it was skipped (Jest refuses a file without any test). */
function skipped(testPath) {
  const title = `skipped: ${testPath} (another file failed for this mutant first)`;
  const test = {
    ancestorTitles: [],
    duration: 0,
    failureDetails: [],
    failureMessages: [],
    fullName: title,
    numPassingAsserts: 0,
    status: 'pending',
    title,
  };
  return { ...createEmptyTestResult(), numPendingTests: 1, skipped: true, testFilePath: testPath, testResults: [test] };
}

module.exports = async function mutationJestCircus(globalConfig, config, environment, runtime, testPath, sendMessageToJest) {
  if (activeMutant() !== undefined && run.failedFile !== undefined) return skipped(testPath);
  const result = await circus(globalConfig, config, environment, runtime, testPath, sendMessageToJest);
  if (result.testExecError) run.failedFile = testPath;
  return result;
};
