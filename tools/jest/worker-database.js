// Points this test file at its worker's own database (see tools/jest/databases.js). Runs before
// the test file's modules load, so harnesses reading DATABASE_URL at import see the worker's.
const { workerDatabaseUrl } = require('./databases');

const base = process.env.SHOPWIRE_TEST_DATABASE_BASE;
if (base) process.env.DATABASE_URL = workerDatabaseUrl(base, process.env.JEST_WORKER_ID ?? '1');
