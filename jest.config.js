const fs = require('node:fs');
const path = require('node:path');

// Every area's tests live in <area>/test/; areas not written yet are skipped.
const AREAS = ['app', 'lib', 'platform', 'infra', 'k8s', 'monitoring', 'pipelines', 'deploy-model', 'ops'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: AREAS.filter((a) => fs.existsSync(path.join(__dirname, a))).map((a) => `<rootDir>/${a}`),
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    // Type checking is `tsc --noEmit`'s job; jest only transpiles.
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true } }],
  },
  testTimeout: 30000,
  collectCoverageFrom: [
    'app/src/**/*.ts',
    'app/scripts/**/*.ts',
    'lib/**/*.ts',
    'platform/**/*.ts',
    'infra/**/*.ts',
    'k8s/**/*.ts',
    'monitoring/**/*.ts',
    'deploy-model/**/*.ts',
    '!**/test/**',
    '!**/main.ts',
    '!app/src/server.ts',
  ],
  coverageDirectory: 'coverage',
  // cobertura for the pipeline's PublishCodeCoverageResults@2, lcov for people.
  coverageReporters: ['text-summary', 'cobertura', 'lcov'],
  reporters: ['default', ['jest-junit', { outputDirectory: 'test-results', outputName: 'junit.xml' }]],
};
