// Before a workspace run (tools/jest/workspace.js): one fresh database per worker.
const { DEFAULT_URL, prepareWorkerDatabases } = require('./databases');

module.exports = async function globalSetup(globalConfig) {
  if (process.env.SHOPWIRE_TEST_DATABASES === 'shared') return;
  const url = process.env.DATABASE_URL ?? DEFAULT_URL;
  const started = Date.now();
  const workers = globalConfig.maxWorkers;
  await prepareWorkerDatabases({ url, workers });
  // Workers start after global setup and inherit this.
  process.env.SHOPWIRE_TEST_DATABASE_BASE = url;
  process.stdout.write(`\n${workers} worker database(s) ready in ${Date.now() - started} ms\n`);
};
