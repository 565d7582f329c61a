/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/app', '<rootDir>/infra', '<rootDir>/k8s', '<rootDir>/monitoring', '<rootDir>/pipelines'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    // Type checking is `tsc --noEmit`'s job; jest only transpiles.
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true } }],
  },
  testTimeout: 30000,
  collectCoverageFrom: ['app/src/**/*.ts', 'infra/**/*.ts', 'k8s/**/*.ts', 'monitoring/**/*.ts', '!**/test/**', '!**/main.ts', '!app/src/server.ts'],
  coverageDirectory: 'coverage',
  reporters: ['default', ['jest-junit', { outputDirectory: 'test-results', outputName: 'junit.xml' }]],
};
