/**
 * End to end: the built services run as real processes (dist/), over the real broker and
 * database, driven over HTTP like Shopify and an API client would. Needs `npm run build`.
 */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'pipeline-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 180000,
};
