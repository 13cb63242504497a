import { GraphQLError } from 'graphql';

/** Shopify's ceiling for `first`/`last`. */
export const MAX_PAGE_SIZE = 250;

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

/**
 * Record indices of one resource in ascending order (ascending ids), without materialising the
 * unfiltered case: 10,000 products are `{ length: 10000, at: i => i }`.
 */
export interface IndexList {
  readonly length: number;
  at(position: number): number;
}

export const rangeList = (length: number): IndexList => ({ length, at: (position) => position });

export function arrayList(indices: readonly number[]): IndexList {
  return { length: indices.length, at: (position) => indices[position]! };
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/**
 * Opaque cursors, as Shopify's are: base64 of the record index. A cursor names a record, not a
 * position, so it stays valid while the list under it changes (a filter, an inserted record).
 */
export function encodeCursor(index: number): string {
  return Buffer.from(JSON.stringify({ last_id: index }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const value = (
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { last_id?: unknown }
    ).last_id;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  } catch {
    // fall through to the error below
  }
  throw new GraphQLError(`Invalid cursor: ${cursor.slice(0, 64)}`, {
    extensions: { code: 'BAD_REQUEST' },
  });
}

/** Position of the first index ≥ `index` in an ascending list. */
function lowerBound(list: IndexList, index: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list.at(mid) < index) low = mid + 1;
    else high = mid;
  }
  return low;
}

export function checkPageSize(args: ConnectionArgs): number {
  const { first, last } = args;
  if (first == null && last == null)
    throw new GraphQLError('you must provide one of first or last', {
      extensions: { code: 'BAD_REQUEST' },
    });
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE))
      throw new GraphQLError(`The ${name} argument must be between 0 and ${MAX_PAGE_SIZE}.`, {
        extensions: { code: 'BAD_REQUEST' },
      });
  }
  return (first ?? last)!;
}

/**
 * Relay pagination over an ascending index list (`reverse` walks it backwards). `after`/`before`
 * narrow the range to records strictly beyond/before the cursor's record, then `first` takes from
 * the start of the range or `last` from its end. hasNextPage/hasPreviousPage tell whether records
 * exist past either end of the page in the whole list, as Shopify reports them.
 */
export function paginate<T>(
  list: IndexList,
  args: ConnectionArgs,
  load: (index: number) => T,
): Page<T> {
  checkPageSize(args);
  const reverse = args.reverse === true;
  const n = list.length;
  // Work in "view positions": 0..n-1 in the order the client sees.
  const positionAfter = (index: number) =>
    reverse ? n - lowerBound(list, index) : lowerBound(list, index + 1);
  const positionBefore = (index: number) =>
    reverse ? n - lowerBound(list, index + 1) : lowerBound(list, index);
  let start = args.after ? positionAfter(decodeCursor(args.after)) : 0;
  let end = args.before ? positionBefore(decodeCursor(args.before)) : n;
  if (end < start) end = start;
  if (args.first != null) end = Math.min(end, start + args.first);
  if (args.last != null) start = Math.max(start, end - args.last);
  const indexAt = (position: number) => list.at(reverse ? n - 1 - position : position);
  const edges: Page<T>['edges'] = [];
  for (let position = start; position < end; position++) {
    const index = indexAt(position);
    edges.push({ cursor: encodeCursor(index), node: load(index) });
  }
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: end < n,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
