import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Metric names the code really registers: `name: '…'` in prom-client constructors (and names
 * passed to a registry lookup) in apps/*\/src and libs/*\/src, tests excluded.
 */
export function registeredMetricNames(root: string): Set<string> {
  const names = new Set<string>();
  for (const top of ['apps', 'libs'])
    for (const project of readdirSync(join(root, top))) {
      const src = join(root, top, project, 'src');
      for (const file of walk(src)) {
        const text = readFileSync(file, 'utf8');
        // `new Counter({ name: '…' })`, or a name passed first to a helper that reuses a metric
        // already in the registry (`reuse('shopwire_…', (name) => new Counter({ name, … }))`)
        for (const match of text.matchAll(/(?:name:\s*|\(\s*)'([a-z_:][a-z0-9_:]*)'/g))
          names.add(match[1]!);
      }
    }
  return names;
}

function* walk(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (entry.endsWith('.ts') && !entry.endsWith('.spec.ts')) yield path;
  }
}

/** Metric names a PromQL expression reads, `{__name__=~"a_(b|c)_d"}` alternatives expanded. */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  for (const match of withoutStrings.matchAll(/\b([a-z_:][a-z0-9_:]*)\s*(?=[{[])/g))
    names.add(match[1]!);
  // Bare selectors such as `up` or `foo > 1`: identifiers that look like metric names.
  for (const match of withoutStrings.matchAll(
    /\b((?:shopwire|kafka|nginx|nodejs|process)_[a-z0-9_]+)\b/g,
  ))
    names.add(match[1]!);
  for (const match of expr.matchAll(/__name__=~"([^"]+)"/g)) {
    const pattern = match[1]!;
    const group = /\(([^()]+)\)/.exec(pattern);
    const alternatives = group
      ? group[1]!.split('|').map((alt) => pattern.replace(group[0], alt))
      : [pattern];
    for (const alternative of alternatives) names.add(alternative);
  }
  names.delete('__name__');
  return [...names];
}

/** A histogram's series (`_bucket`, `_sum`, `_count`) belong to the histogram's name. */
export function baseMetricName(name: string, known: Set<string>): string {
  for (const suffix of ['_bucket', '_sum', '_count'])
    if (name.endsWith(suffix) && known.has(name.slice(0, -suffix.length)))
      return name.slice(0, -suffix.length);
  return name;
}
