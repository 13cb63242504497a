// One database per Jest worker, copied from a freshly migrated template, so the suites that
// drop and re-create a service's schema (every consumer service's harness does) can run in
// parallel: suites in one worker run one after another, as they always did, and no two workers
// share a schema. Everything else (broker, Redis) is shared; suites keep to their own consumer
// groups, shops and key prefixes there.
//
// Names derive from DATABASE_URL's database, e.g. `test` → `test_jest_template`, `test_jest_w1`…
// SHOPWIRE_TEST_DATABASES=shared turns this off (every worker uses DATABASE_URL as is).
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = join(__dirname, '../..');

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function baseName(url) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return name;
}

const templateName = (url) => `${baseName(url)}_jest_template`;
const workerName = (url, worker) => `${baseName(url)}_jest_w${Number(worker)}`;

function workerDatabaseUrl(url, worker) {
  return withDatabase(url, workerName(url, worker));
}

async function query(url, sql) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function filesUnder(dir, found = []) {
  if (!existsSync(dir)) return found;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, found);
    else found.push(path);
  }
  return found;
}

/** What the migrated template depends on: every app's compiled database code. */
function migrationsHash() {
  const hash = createHash('sha256');
  const apps = join(ROOT, 'dist/apps');
  for (const app of existsSync(apps) ? readdirSync(apps).sort() : []) {
    for (const file of filesUnder(join(apps, app, 'src/database'))) {
      hash.update(relative(ROOT, file)).update(readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * Creates `workers` databases from a template migrated with `scripts/migrate.mjs` (needs
 * `npm run build`). Migrating takes a while on a busy machine, so the template is kept between
 * runs and rebuilt only when the compiled migrations changed (their hash is the template's
 * comment) or it does not exist.
 */
async function prepareWorkerDatabases({ url = DEFAULT_URL, workers }) {
  const template = templateName(url);
  const stamp = `shopwire-migrations:${migrationsHash()}`;
  const current = await query(
    url,
    `SELECT shobj_description(oid, 'pg_database') AS stamp FROM pg_database WHERE datname = '${template}'`,
  );
  if (current.rows[0]?.stamp !== stamp) {
    await query(url, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await query(url, `CREATE DATABASE ${template}`);
    const migrated = spawnSync(process.execPath, [join(ROOT, 'scripts/migrate.mjs')], {
      env: { ...process.env, DATABASE_URL: withDatabase(url, template) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (migrated.status !== 0) throw new Error('migrating the test template database failed');
    await query(url, `COMMENT ON DATABASE ${template} IS '${stamp}'`);
  }
  for (let worker = 1; worker <= workers; worker += 1) {
    const name = workerName(url, worker);
    await query(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await query(url, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  }
}

module.exports = { prepareWorkerDatabases, workerDatabaseUrl, DEFAULT_URL };
