/** Integration tests: real Redis and Kafka (start them with `npm run infra -- up`). */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'cache:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 120000,
};
