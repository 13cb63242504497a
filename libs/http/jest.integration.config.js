/** Integration tests: a booted Nest/Fastify app answering real HTTP requests on loopback. */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'http:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 60000,
};
