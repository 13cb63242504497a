/**
 * The part of Shopify's search syntax (`query:` argument) the simulator understands: terms
 * `field:value`, `field:>value`, `field:>=value`, `field:<value`, `field:<=value`, values bare
 * or quoted ('…' or "…"), joined by spaces or AND. Date fields compare as instants; others as
 * case-insensitive text. Fields a resource does not know are ignored, as Shopify ignores them.
 */
export type Comparator = '=' | '>' | '>=' | '<' | '<=';

export interface SearchTerm {
  field: string;
  comparator: Comparator;
  value: string;
}

export class SearchSyntaxError extends Error {
  override readonly name = 'SearchSyntaxError';
}

const TERM = /^([a-z_]+):(>=|<=|>|<)?(?:'([^']*)'|"([^"]*)"|(\S+))/i;

export function parseSearchQuery(query: string | null | undefined): SearchTerm[] {
  const terms: SearchTerm[] = [];
  let rest = (query ?? '').trim();
  while (rest.length > 0) {
    const and = /^AND\s+/.exec(rest);
    if (and) {
      rest = rest.slice(and[0].length);
      continue;
    }
    const match = TERM.exec(rest);
    if (!match)
      throw new SearchSyntaxError(`cannot read the search query near "${rest.slice(0, 30)}"`);
    terms.push({
      field: match[1]!.toLowerCase(),
      comparator: (match[2] as Comparator | undefined) ?? '=',
      value: match[3] ?? match[4] ?? match[5] ?? '',
    });
    rest = rest.slice(match[0].length).trimStart();
  }
  return terms;
}

export type FieldReader<T> = (record: T) => Date | string | string[] | null;

/** A predicate over records from the terms whose fields `readers` knows. */
export function searchPredicate<T>(
  terms: SearchTerm[],
  readers: Record<string, FieldReader<T>>,
): ((record: T) => boolean) | null {
  const checks: ((record: T) => boolean)[] = [];
  for (const term of terms) {
    const read = readers[term.field];
    if (!read) continue;
    checks.push((record) => matches(read(record), term));
  }
  if (checks.length === 0) return null;
  return (record) => checks.every((check) => check(record));
}

function matches(actual: Date | string | string[] | null, term: SearchTerm): boolean {
  if (actual === null) return false;
  if (actual instanceof Date) {
    const wanted = Date.parse(term.value);
    if (Number.isNaN(wanted)) throw new SearchSyntaxError(`"${term.value}" is not a date`);
    return compare(actual.getTime(), wanted, term.comparator);
  }
  const values = Array.isArray(actual) ? actual : [actual];
  const wanted = term.value.toLowerCase();
  return values.some((value) =>
    term.comparator === '='
      ? value.toLowerCase() === wanted
      : compare(value.toLowerCase(), wanted, term.comparator),
  );
}

function compare<V extends number | string>(a: V, b: V, comparator: Comparator): boolean {
  switch (comparator) {
    case '=':
      return a === b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}
