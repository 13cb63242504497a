// Prints the slowest suites at the end of a run: where CI time goes, without a separate
// measuring run (the suites run in parallel, so these are wall times under shared load).
// Every suite's time and test count also lands in tmp/test-durations/<phase>-<pid>.json, so two
// runs can be compared suite by suite (`node tools/jest/compare-durations.js BEFORE AFTER`).
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const SHOWN = 10;

class DurationReporter {
  constructor(globalConfig, options = {}) {
    this.globalConfig = globalConfig;
    this.phase = options.phase ?? 'run';
  }

  onRunComplete(_contexts, results) {
    const all = results.testResults
      .map((suite) => ({
        path: relative(this.globalConfig.rootDir, suite.testFilePath),
        ms: suite.perfStats.end - suite.perfStats.start,
        tests: suite.testResults.length,
        failed: suite.numFailingTests + (suite.testExecError ? 1 : 0),
        each: suite.testResults.map((test) => ({ name: test.fullName, ms: test.duration ?? 0 })),
      }))
      .sort((a, b) => b.ms - a.ms);
    if (all.length === 0) return;
    const dir = join(__dirname, '../../tmp/test-durations');
    mkdirSync(dir, { recursive: true });
    const wallMs = Date.now() - results.startTime;
    writeFileSync(
      join(dir, `${this.phase}-${process.pid}.json`),
      JSON.stringify({ phase: this.phase, wallMs, suites: all }, null, 1),
    );
    const lines = all
      .slice(0, SHOWN)
      .map(({ path, ms }) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${path}`);
    process.stderr.write(
      `\nSlowest suites (${this.phase} phase, ${(wallMs / 1000).toFixed(0)} s wall):\n${lines.join('\n')}\n`,
    );
  }
}

module.exports = DurationReporter;
