// Two projects: `unit` (beside the code, no network) and `e2e` (real servers, real buses).
// Tests are TypeScript, transpiled per file (type-checking is `tsc -b`'s job, run before jest).
const transform = { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: 'tsconfig.test.json' }] };
module.exports = {
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
      testTimeout: 60000,
    },
  ],
};
