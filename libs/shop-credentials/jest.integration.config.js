/** Integration tests: a real HTTP token API on loopback and the real Kafka broker. */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'shop-credentials:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 120000,
};
