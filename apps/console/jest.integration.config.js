/** Integration tests: real Kafka, Postgres and Redis (start them with `npm run infra -- up`). */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'console:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 120000,
};
