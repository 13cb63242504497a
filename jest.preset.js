// Shared Jest settings. Tests are compiled with SWC (decorator metadata on, like the build) and
// `@shopwire/*` imports resolve to library sources, so a test never runs against stale output.
const { join } = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    join(__dirname, target),
  ]),
);

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
    // A few dependencies ship ES modules only (Node 20.19+ can `require` them, Jest cannot);
    // those are compiled to CommonJS for tests. See transformIgnorePatterns below.
    '^.+\\.js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } },
    ],
  },
  // @fastify/cookie loads the ES-module-only `cookie` with a dynamic import(), which Jest's VM
  // cannot run; compiled, the import becomes a require.
  transformIgnorePatterns: [
    '^(?!.*/node_modules/(content-disposition|cookie|@fastify/cookie)/).*/node_modules/',
  ],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  reporters: ['default', join(__dirname, 'tools/jest/count-reporter.js')],
};
