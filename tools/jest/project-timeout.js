// `testTimeout` is a global Jest option: in a multi-project run each project's own value is
// ignored. tools/jest/workspace.js passes it as a global instead, and this applies it per file.
const timeout = globalThis.__SHOPWIRE_TEST_TIMEOUT__;
if (typeof timeout === 'number') jest.setTimeout(timeout);
