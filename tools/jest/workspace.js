// One Jest run over every project of the workspace, used by `npm test` (scripts/test.sh) and CI.
//
// Projects are found, not listed: every `apps/*`, `libs/*` and `tools/*` folder with a
// `jest.config.js` (unit) or `jest.integration.config.js` (integration) takes part, so a new app
// or lib is tested without editing this file or the CI scripts.
//
// Suites are split in two phases:
//   - isolated (the default): everything that shares the broker, Postgres and Redis politely
//     (own consumer groups, own shops, own key prefixes), run in parallel across workers; each
//     worker gets its own database (tools/jest/databases.js), so suites that drop and re-migrate a
//     service's schema never pull it from under another worker's suite;
//   - disruptive: suites that stop or restart shared infrastructure (the broker, Postgres). They
//     run after the isolated phase, one at a time. A suite is disruptive when its source calls the
//     outage helper of @shopwire/testing (`restartPostgres`) or shells out to
//     `kafka-stop`/`kafka-start`/`pg_ctl` itself — found by reading the file, so
//     a new fault test is scheduled correctly without a list to keep. A suite that cannot share
//     the broker for another reason (it counts every message on a shared topic, which another
//     suite's instance of the same service would also produce) says so with a comment line
//     `// test-runs-alone: <why>` and runs in this phase too.
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '../..');
const PROJECT_PARENTS = ['apps', 'libs', 'tools'];
const CONFIG_FILES = ['jest.config.js', 'jest.integration.config.js'];
const DISRUPTIVE = /\brestartPostgres\s*\(|kafka-stop|kafka-start|pg_ctl|^\/\/ test-runs-alone:/m;

function projectConfigFiles() {
  const files = [];
  for (const parent of PROJECT_PARENTS) {
    const dir = join(ROOT, parent);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      for (const file of CONFIG_FILES) {
        const path = join(dir, name, file);
        if (existsSync(path)) files.push(path);
      }
    }
  }
  return files;
}

function testFiles(dir, found = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) testFiles(path, found);
    else if (/\.(integration-)?spec\.ts$/.test(name)) found.push(path);
  }
  return found;
}

/** Test files that disturb shared infrastructure, absolute paths. */
function disruptiveSuites() {
  const suites = [];
  for (const parent of PROJECT_PARENTS) {
    const dir = join(ROOT, parent);
    if (!existsSync(dir)) continue;
    for (const file of testFiles(dir)) {
      if (DISRUPTIVE.test(readFileSync(file, 'utf8'))) suites.push(file);
    }
  }
  return suites;
}

const escape = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The multi-project Jest config of one phase: `isolated` (every suite but the disruptive ones)
 * or `disruptive` (only those, in the projects that have any).
 */
function workspaceConfig(phase) {
  const disruptive = disruptiveSuites();
  const projects = [];
  for (const file of projectConfigFiles()) {
    // Reporters are global options; the run's own are set below.
    const { reporters: _reporters, testTimeout, ...own } = require(file);
    const config = {
      ...own,
      setupFiles: [...(own.setupFiles ?? []), join(__dirname, 'worker-database.js')],
      // testTimeout is global-only in a multi-project run; ./project-timeout.js applies it.
      globals: { ...own.globals, __SHOPWIRE_TEST_TIMEOUT__: testTimeout },
      setupFilesAfterEnv: [
        ...(own.setupFilesAfterEnv ?? []),
        join(__dirname, 'project-timeout.js'),
      ],
    };
    if (phase === 'isolated') {
      projects.push({
        ...config,
        testPathIgnorePatterns: [
          ...(config.testPathIgnorePatterns ?? ['/node_modules/']),
          ...disruptive.map((path) => `^${escape(path)}$`),
        ],
      });
    } else {
      const mine = disruptive.filter((path) => path.startsWith(`${config.rootDir}/`));
      // testMatch only takes globs; the paths come from this checkout and have no glob syntax.
      const inTier = mine.filter((path) =>
        file.endsWith('jest.integration.config.js')
          ? path.endsWith('.integration-spec.ts')
          : !path.endsWith('.integration-spec.ts'),
      );
      if (inTier.length > 0) projects.push({ ...config, testMatch: inTier });
    }
  }
  return {
    rootDir: ROOT,
    projects,
    globalSetup: join(__dirname, 'global-setup.js'),
    testSequencer: join(__dirname, 'sequencer.js'),
    reporters: [
      'default',
      join(__dirname, 'count-reporter.js'),
      [join(__dirname, 'duration-reporter.js'), { phase }],
    ],
  };
}

module.exports = { workspaceConfig, disruptiveSuites, projectConfigFiles, ROOT, relative };
