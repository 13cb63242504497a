/** Integration tests: built Shopwire processes started in production mode (after `npm run build`). */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'config:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 120000,
};
