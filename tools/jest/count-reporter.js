// Writes each Jest run's pass/fail counts to tmp/test-results/, so `.ci/run` can total them
// across every project and tier and print the single `N passed, M failed` line CI reads.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

class CountReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = join(__dirname, '../../tmp/test-results');
    mkdirSync(dir, { recursive: true });
    const configPath = this.globalConfig.rootDir
      ? relative(join(__dirname, '../..'), this.globalConfig.rootDir)
      : 'root';
    const project = configPath || 'workspace';
    const name = `${project.replace(/[\\/]/g, '_')}-${process.pid}-${Date.now()}.json`;
    writeFileSync(
      join(dir, name),
      JSON.stringify({
        project,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests,
      }),
    );
  }
}

module.exports = CountReporter;
