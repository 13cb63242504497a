/** Integration tests: the real simulator process (`npm run build` first). */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'shopify-subscriptions:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 180000,
};
