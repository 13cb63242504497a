// Order of the suites in a workspace run: the longest first, so no worker is left running one long
// suite at the end while the others idle. Jest's own order uses the durations of the previous run
// on this machine when its cache has them, else file size — which on a clean clone (CI) puts many
// short unit specs before the integration suites that take tens of seconds. Here, suites without a
// recorded duration go integration suites first (largest file first), then unit specs.
const Sequencer = require('@jest/test-sequencer').default;

const INTEGRATION = /\.integration-spec\.ts$/;

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    // An estimate in ms for a suite never timed here: integration suites start services, brokers
    // and processes; a unit spec is a few hundred ms.
    const estimate = (test) => (INTEGRATION.test(test.path) ? 20_000 : 0) + size(test) / 10;
    const weight = new Map(tests.map((test) => [test, this.time(test) ?? estimate(test)]));
    return [...tests].sort((a, b) => {
      const failedA = this.hasFailed(a);
      if (failedA !== this.hasFailed(b)) return failedA ? -1 : 1;
      return weight.get(b) - weight.get(a);
    });
  }
}

module.exports = LongestFirstSequencer;
