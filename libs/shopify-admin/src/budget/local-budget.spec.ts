import { LocalBudget } from './local-budget';
import { DEFAULT_BUDGET_POLICY } from './redis-budget';

const STANDARD = { max: 2000, restorePerSecond: 100 };

/** A budget on a hand-moved clock: a third of Standard (≈ 666.7 points, ≈ 33.3/s). */
function third(policy = DEFAULT_BUDGET_POLICY) {
  const clock = { now: 1_000_000 };
  const budget = new LocalBudget(STANDARD, 3, policy, () => clock.now);
  return { budget, clock };
}

describe('LocalBudget', () => {
  it('holds only its share of the bucket, spending down to the margin', () => {
    const { budget } = third();
    expect(budget.peek('s')).toEqual({
      available: 2000 / 3,
      max: 2000 / 3,
      restorePerSecond: 100 / 3,
    });
    // 2 % margin of the share: 13.3 points stay unspent
    expect(budget.reserve('s', 600, 'default')).toMatchObject({ granted: true, reserved: 600 });
    expect(budget.reserve('s', 60, 'default')).toMatchObject({ granted: false });
    expect(budget.reserve('s', 50, 'critical')).toMatchObject({ granted: true, mode: 'fallback' });
  });

  it('answers how long until the points restore at the share’s rate, and grants then', () => {
    const { budget, clock } = third();
    budget.reserve('s', 650, 'default'); // 16.7 left, 13.3 of them the margin
    const refused = budget.reserve('s', 100, 'default');
    expect(refused.granted).toBe(false);
    // (100 + 13.3 − 16.7) / 33.3 per second ≈ 2.9 s
    expect(Math.abs(refused.waitMs - 2900)).toBeLessThanOrEqual(1);
    clock.now += refused.waitMs - 30;
    expect(budget.reserve('s', 100, 'default').granted).toBe(false);
    clock.now += 30;
    expect(budget.reserve('s', 100, 'default').granted).toBe(true);
  });

  it('keeps the reporting reserve for the other classes', () => {
    const { budget } = third();
    // reporting stops at margin + 25 % of the share (≈ 180 points left)
    expect(budget.reserve('s', 480, 'reporting').granted).toBe(true);
    expect(budget.reserve('s', 20, 'reporting').granted).toBe(false);
    expect(budget.reserve('s', 150, 'default').granted).toBe(true);
  });

  it('clamps a call dearer than the share could ever hold', () => {
    const { budget } = third();
    const reservation = budget.reserve('s', 1000, 'default');
    expect(reservation).toMatchObject({ granted: true });
    expect(reservation.reserved).toBeCloseTo((2000 / 3) * 0.98);
  });

  it('gives back what Shopify did not charge', () => {
    const { budget } = third();
    budget.reserve('s', 300, 'default');
    budget.settle('s', { reserved: 300, actual: 120 });
    expect(budget.peek('s').available).toBeCloseTo(2000 / 3 - 120);
    // a failed call keeps its points spent
    budget.reserve('s', 100, 'default');
    budget.settle('s', { reserved: 100, actual: null });
    expect(budget.peek('s').available).toBeCloseTo(2000 / 3 - 220);
  });

  it('of what Shopify reports left, takes only its share', () => {
    const { budget } = third();
    // others spent the shop down to 600: ours is at most 200 of it
    budget.settle('s', { reserved: 0, actual: 0, reportedAvailable: 600 });
    expect(budget.peek('s').available).toBe(200);
    // a higher report never raises the model (it may not count calls others have in flight)
    budget.settle('s', { reserved: 0, actual: 0, reportedAvailable: 2000 });
    expect(budget.peek('s').available).toBe(200);
  });

  it('ignores a report a hair below the model, but follows a THROTTLED exactly', () => {
    const { budget } = third();
    budget.reserve('s', 100, 'default'); // model 566.7
    // 1695 / 3 = 565: below the model by less than half the margin (6.7): transit time, ignored
    budget.settle('s', { reserved: 100, actual: 100, reportedAvailable: 1695 });
    expect(budget.peek('s').available).toBeCloseTo(2000 / 3 - 100);
    budget.settle('s', { reserved: 0, actual: 0, reportedAvailable: 1695, strict: true });
    expect(budget.peek('s').available).toBe(565);
  });

  it('learns the plan from the reply, divided by the share', () => {
    const { budget } = third();
    budget.settle('s', {
      reserved: 0,
      actual: 0,
      reportedAvailable: 20_000,
      reportedMax: 20_000,
      reportedRestorePerSecond: 1000,
    });
    expect(budget.peek('s').max).toBeCloseTo(20_000 / 3);
    expect(budget.peek('s').restorePerSecond).toBeCloseTo(1000 / 3);
  });

  it('observes replies to shared calls without refunding anything', () => {
    const { budget } = third();
    budget.observe('s', { reserved: 500, actual: 10, reportedAvailable: 300 });
    expect(budget.peek('s').available).toBe(100);
  });

  it('keeps shops apart', () => {
    const { budget } = third();
    budget.reserve('a', 600, 'default');
    expect(budget.reserve('b', 600, 'default').granted).toBe(true);
  });

  it('refuses a share below one', () => {
    expect(() => new LocalBudget(STANDARD, 0)).toThrow(RangeError);
    expect(() => new LocalBudget(STANDARD, Number.NaN)).toThrow(RangeError);
  });
});
