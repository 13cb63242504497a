import { lowStockTransition } from './low-stock';

describe('lowStockTransition', () => {
  it.each([
    [false, 10, 5, 'unchanged'],
    [false, 5, 5, 'unchanged'],
    [false, 4, 5, 'crossed_down'],
    [false, -3, 5, 'crossed_down'],
    [true, 4, 5, 'unchanged'],
    [true, 0, 5, 'unchanged'],
    [true, 5, 5, 'recovered'],
    [true, 9, 5, 'recovered'],
    [false, 0, 0, 'unchanged'],
    [false, -1, 0, 'crossed_down'],
  ] as const)(
    'was low %p, sellable %p, threshold %p → %p',
    (wasLow, sellable, threshold, expected) => {
      expect(lowStockTransition(wasLow, sellable, threshold)).toBe(expected);
    },
  );

  it('fires once per crossing along a path that dips twice', () => {
    let low = false;
    let fired = 0;
    for (const sellable of [10, 6, 4, 3, 0, 4, 5, 7, 2, 1, 8]) {
      const t = lowStockTransition(low, sellable, 5);
      if (t === 'crossed_down') fired++;
      if (t !== 'unchanged') low = t === 'crossed_down';
    }
    expect(fired).toBe(2);
  });
});
