import { arrayList, decodeCursor, encodeCursor, paginate, rangeList } from './connection';

const ids = <T>(page: { nodes: T[] }) => page.nodes;

describe('paginate (Relay connections)', () => {
  const list = rangeList(10);
  const load = (index: number) => index;

  it('walks forward with first/after until hasNextPage is false', () => {
    const seen: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: ReturnType<typeof paginate<number>> = paginate(list, { first: 4, after }, load);
      seen.push(...page.nodes);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('walks backward with last/before', () => {
    const tail = paginate(list, { last: 3 }, load);
    expect(ids(tail)).toEqual([7, 8, 9]);
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const before = paginate(list, { last: 3, before: tail.pageInfo.startCursor }, load);
    expect(ids(before)).toEqual([4, 5, 6]);
    expect(before.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('reverses, and cursors from the reversed order continue it', () => {
    const first = paginate(list, { first: 3, reverse: true }, load);
    expect(ids(first)).toEqual([9, 8, 7]);
    const next = paginate(list, { first: 3, reverse: true, after: first.pageInfo.endCursor }, load);
    expect(ids(next)).toEqual([6, 5, 4]);
  });

  it('keeps a cursor valid on a filtered list (it names a record, not a position)', () => {
    const even = arrayList([0, 2, 4, 6, 8]);
    expect(ids(paginate(even, { first: 2, after: encodeCursor(3) }, load))).toEqual([4, 6]);
    expect(ids(paginate(even, { first: 2, after: encodeCursor(8) }, load))).toEqual([]);
  });

  it('rejects a missing or too large page size and a bad cursor', () => {
    expect(() => paginate(list, {}, load)).toThrow(/first or last/);
    expect(() => paginate(list, { first: 251 }, load)).toThrow(/250/);
    expect(() => paginate(list, { first: 1, after: 'nope' }, load)).toThrow(/Invalid cursor/);
    expect(decodeCursor(encodeCursor(42))).toBe(42);
  });
});
