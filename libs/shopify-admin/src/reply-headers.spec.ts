import { parseCallLimit, parseLinkHeader, retryAfterMsOf } from './reply-headers';

describe('retryAfterMsOf', () => {
  it.each([
    ['2.0', 2000],
    ['2', 2000],
    ['0.5', 500],
    [['1.25'], 1250],
  ] as const)('reads %p as seconds → %p ms (never as milliseconds)', (value, ms) => {
    expect(retryAfterMsOf(value as string | string[])).toBe(ms);
  });
  it('waits one second when the header is missing or unreadable', () => {
    expect(retryAfterMsOf(undefined)).toBe(1000);
    expect(retryAfterMsOf('soon')).toBe(1000);
  });
});

describe('parseCallLimit', () => {
  it('reads used/max', () => {
    expect(parseCallLimit('32/40')).toEqual({ used: 32, max: 40 });
    expect(parseCallLimit(' 1 / 80 ')).toEqual({ used: 1, max: 80 });
  });
  it.each([undefined, '', '40', 'a/b', '3/0'])('rejects %p', (value) => {
    expect(parseCallLimit(value)).toBeNull();
  });
});

describe('parseLinkHeader', () => {
  it('reads next and previous page_info cursors', () => {
    const link =
      '<https://s.myshopify.com/admin/api/2026-01/products.json?limit=50&page_info=abc123>; rel="next", ' +
      '<https://s.myshopify.com/admin/api/2026-01/products.json?limit=50&page_info=zyx>; rel="previous"';
    expect(parseLinkHeader(link)).toEqual({ next: 'abc123', previous: 'zyx' });
  });
  it('is empty without a header or cursors', () => {
    expect(parseLinkHeader(undefined)).toEqual({ next: null, previous: null });
    expect(parseLinkHeader('<http://x/y?limit=2>; rel="next"')).toEqual({
      next: null,
      previous: null,
    });
  });
});
