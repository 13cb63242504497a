/**
 * The module-boundary rules of eslint.config.mjs, proven by linting files that break them (and
 * files that keep to them). Offline: no infrastructure, no build.
 */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'boundaries',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
