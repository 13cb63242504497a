/** Integration tests: real Postgres (start it with `npm run infra -- up`). */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'scheduler:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 120000,
};
