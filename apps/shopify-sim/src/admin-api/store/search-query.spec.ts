import { parseSearchQuery, searchPredicate, SearchSyntaxError } from './search-query';

describe('search query', () => {
  it('reads ranges, quotes and AND', () => {
    expect(
      parseSearchQuery(
        `updated_at:>'2026-11-01T00:00:00Z' AND updated_at:<="2026-11-02" status:active`,
      ),
    ).toEqual([
      { field: 'updated_at', comparator: '>', value: '2026-11-01T00:00:00Z' },
      { field: 'updated_at', comparator: '<=', value: '2026-11-02' },
      { field: 'status', comparator: '=', value: 'active' },
    ]);
    expect(parseSearchQuery('')).toEqual([]);
    expect(() => parseSearchQuery('updated_at>x')).toThrow(SearchSyntaxError);
  });

  it('filters by date ranges and text, ignoring unknown fields', () => {
    const records = [
      { at: new Date('2026-11-01T10:00:00Z'), status: 'ACTIVE', tags: ['a', 'b'] },
      { at: new Date('2026-11-02T10:00:00Z'), status: 'DRAFT', tags: [] },
    ];
    const readers = {
      updated_at: (r: (typeof records)[number]) => r.at,
      status: (r: (typeof records)[number]) => r.status,
      tag: (r: (typeof records)[number]) => r.tags,
    };
    const run = (query: string) => {
      const predicate = searchPredicate(parseSearchQuery(query), readers);
      return predicate ? records.filter(predicate).length : 'all';
    };
    expect(run(`updated_at:>'2026-11-01T10:00:00Z'`)).toBe(1);
    expect(run(`updated_at:>='2026-11-01T10:00:00Z'`)).toBe(2);
    expect(run('status:active')).toBe(1);
    expect(run('tag:B')).toBe(1);
    expect(run('vendor:x')).toBe('all');
    expect(() => run('updated_at:>yesterday')).toThrow(/not a date/);
  });
});
