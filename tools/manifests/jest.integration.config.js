/**
 * The runtime image layouts, assembled without Docker and run read-only as uid 1000 against the
 * real Postgres (and, for the gateway, Kafka). Needs root, a build and the infrastructure.
 */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'manifests:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 120000,
};
