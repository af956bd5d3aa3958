// Two projects: `unit` (beside the code, no network) and `e2e` (real servers, real buses).
// Tests are TypeScript, transpiled per file (type-checking is `tsc -b`'s job, run before jest).
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] };
module.exports = {
  // Real servers take seconds to start; every wait inside a test has its own, shorter deadline.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/test/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
    },
  ],
};
