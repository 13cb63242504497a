import { fullJitterDelay, parseRetryAfter } from './backoff';

describe('fullJitterDelay', () => {
  it('stays within [0, min(cap, base·2^(n-1)))', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(5000, 100 * 2 ** (attempt - 1));
      expect(fullJitterDelay(attempt, 100, 5000, () => 0)).toBe(0);
      expect(fullJitterDelay(attempt, 100, 5000, () => 0.999999)).toBe(
        Math.floor(0.999999 * ceiling),
      );
      for (let i = 0; i < 50; i++) {
        const delay = fullJitterDelay(attempt, 100, 5000);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });

  it('is capped however many attempts failed', () => {
    expect(fullJitterDelay(60, 100, 5000, () => 0.5)).toBe(2500);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T04:00:00Z');

  it.each([
    ['0', 0],
    ['3', 3000],
    ['1.5', 1500],
    [' 0.25 ', 250],
    [['2', '9'], 2000],
  ] as const)('reads %p as seconds → %p ms', (value, ms) => {
    expect(parseRetryAfter(value as string | string[], now)).toBe(ms);
  });

  it('reads an HTTP-date relative to now, and a past one as 0', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 04:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 03:59:00 GMT', now)).toBe(0);
  });

  it.each([undefined, null, '', '-1', '1e3', 'soon', '1.5s'])('rejects %p', (value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });
});
