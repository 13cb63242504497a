import { LeakyBucket } from './leaky-bucket';

describe('LeakyBucket', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = 1_700_000_000_000;
  });

  it('starts full, takes what is asked and refuses more than is left', () => {
    const bucket = new LeakyBucket(2000, 100, clock);
    expect(bucket.status()).toEqual({
      maximumAvailable: 2000,
      currentlyAvailable: 2000,
      restoreRate: 100,
    });
    expect(bucket.tryTake(1500)).toBe(true);
    expect(bucket.tryTake(501)).toBe(false);
    expect(bucket.status().currentlyAvailable).toBe(500);
    expect(bucket.tryTake(500)).toBe(true);
    expect(bucket.status().currentlyAvailable).toBe(0);
  });

  it('restores at its rate with the clock, never above capacity', () => {
    const bucket = new LeakyBucket(2000, 100, clock);
    bucket.tryTake(2000);
    now += 2500;
    expect(bucket.status().currentlyAvailable).toBe(250);
    now += 250;
    expect(bucket.level()).toBeCloseTo(275);
    now += 3_600_000;
    expect(bucket.status().currentlyAvailable).toBe(2000);
  });

  it('refunds the unused part of a reservation, capped at capacity', () => {
    const bucket = new LeakyBucket(2000, 100, clock);
    bucket.tryTake(1000);
    bucket.refund(900);
    expect(bucket.status().currentlyAvailable).toBe(1900);
    bucket.refund(5000);
    expect(bucket.status().currentlyAvailable).toBe(2000);
  });

  it('says how long until a request fits (the REST Retry-After)', () => {
    const rest = new LeakyBucket(40, 2, clock);
    for (let i = 0; i < 40; i++) expect(rest.tryTake(1)).toBe(true);
    expect(rest.tryTake(1)).toBe(false);
    expect(rest.secondsUntil(1)).toBeCloseTo(0.5);
    now += 500;
    expect(rest.secondsUntil(1)).toBe(0);
    expect(rest.tryTake(1)).toBe(true);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = new LeakyBucket(100, 10, clock);
    bucket.tryTake(100);
    now -= 10_000;
    expect(bucket.level()).toBe(0);
    now += 11_000;
    expect(bucket.level()).toBeCloseTo(10);
  });
});
