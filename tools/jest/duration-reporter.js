// Prints the slowest suites at the end of a run: where CI time goes, without a separate
// measuring run (the suites run in parallel, so these are wall times under shared load).
const { relative } = require('node:path');

const SHOWN = 10;

class DurationReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const suites = results.testResults
      .map((suite) => ({
        path: relative(this.globalConfig.rootDir, suite.testFilePath),
        ms: suite.perfStats.end - suite.perfStats.start,
      }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, SHOWN);
    if (suites.length === 0) return;
    const lines = suites.map(({ path, ms }) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${path}`);
    process.stderr.write(`\nSlowest suites:\n${lines.join('\n')}\n`);
  }
}

module.exports = DurationReporter;
