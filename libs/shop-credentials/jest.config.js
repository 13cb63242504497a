/** Small tests: pure logic, next to the code. */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'shop-credentials',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
