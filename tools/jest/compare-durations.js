// Compares two runs suite by suite: `node tools/jest/compare-durations.js BEFORE AFTER`, each a
// tmp/test-durations/*.json file the duration reporter wrote (or a folder of them, merged).
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

function load(path) {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(path, f))
    : [path];
  const suites = new Map();
  for (const file of files) {
    for (const suite of JSON.parse(readFileSync(file, 'utf8')).suites)
      suites.set(suite.path, suite);
  }
  return suites;
}

const [before, after] = process.argv.slice(2).map(load);
const paths = [...new Set([...before.keys(), ...after.keys()])].sort(
  (a, b) => (before.get(b)?.ms ?? 0) - (before.get(a)?.ms ?? 0),
);
const s = (suite) => (suite ? `${(suite.ms / 1000).toFixed(1)} s` : '-').padStart(9);
const t = (suite) => String(suite?.tests ?? '-').padStart(4);
let testsBefore = 0;
let testsAfter = 0;
for (const path of paths) {
  const [b, a] = [before.get(path), after.get(path)];
  testsBefore += b?.tests ?? 0;
  testsAfter += a?.tests ?? 0;
  console.log(`${s(b)} →${s(a)}  tests ${t(b)} →${t(a)}  ${path}`);
}
console.log(`tests: ${testsBefore} → ${testsAfter}`);
