/** Integration tests: real Postgres (start it with `npm run infra -- up`). */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'outbound-delivery:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 60000,
};
