/** Integration tests: real Kafka and Postgres (start them with `npm run infra -- up`). */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'jobs:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 180000,
};
