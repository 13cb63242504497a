import { backoffDelay, briefError, chunksOf, nextOffset } from './consumer-runner';

describe('nextOffset', () => {
  it('adds one', () => {
    expect(nextOffset('0')).toBe('1');
    expect(nextOffset('41')).toBe('42');
  });

  it('stays exact beyond 2^53, where a JS number would round', () => {
    expect(nextOffset('9007199254740993')).toBe('9007199254740994');
    expect(nextOffset('9223372036854775806')).toBe('9223372036854775807');
  });
});

describe('backoffDelay', () => {
  it('is 0 when the random draw is 0 (full jitter)', () => {
    expect(backoffDelay(5, 100, 5000, () => 0)).toBe(0);
  });

  it('doubles its ceiling per attempt', () => {
    const nearlyOne = () => 0.999999;
    expect(backoffDelay(1, 100, 5000, nearlyOne)).toBe(99);
    expect(backoffDelay(2, 100, 5000, nearlyOne)).toBe(199);
    expect(backoffDelay(4, 100, 5000, nearlyOne)).toBe(799);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [7, 20, 100, 5000]) {
      const delay = backoffDelay(attempt, 100, 5000, () => 0.999999);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(5000);
    }
  });

  it('stays within [0, ceiling) for random draws', () => {
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelay(3, 100, 5000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(400);
    }
  });
});

describe('chunksOf', () => {
  it('splits in order, the last chunk holding the rest', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([], 200)).toEqual([]);
  });

  it('refuses a size below 1', () => {
    expect(() => chunksOf([1], 0)).toThrow(RangeError);
  });
});

describe('briefError', () => {
  it('keeps type, message and code, and drops everything else (query parameters)', () => {
    const error = Object.assign(new Error('relation "x" does not exist'), {
      code: '42P01',
      parameters: ['buyer@example.com'],
      query: 'INSERT …',
    });
    expect(briefError(error)).toEqual({
      type: 'Error',
      message: 'relation "x" does not exist',
      code: '42P01',
    });
    expect(JSON.stringify(briefError(error))).not.toContain('buyer@example.com');
  });

  it('copes with non-errors', () => {
    expect(briefError('boom')).toEqual({ type: 'string', message: 'non-error thrown' });
  });
});
