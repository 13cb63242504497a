import { abortableSleep, TokenBucketPacer, unlimitedPacer } from './pacer';

/** A clock the test moves; sleeping advances it instead of waiting. */
function fakeClock() {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: (ms: number) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => (now += ms),
    slept,
  };
}

describe('TokenBucketPacer', () => {
  it('lets a burst of `capacity` through at once, then paces at the rate', async () => {
    const clock = fakeClock();
    const pacer = new TokenBucketPacer({ ratePerSecond: 10, capacity: 3, ...clock });
    for (let i = 0; i < 3; i++) await pacer.acquire(1);
    expect(clock.slept).toEqual([]);
    await pacer.acquire(1);
    expect(clock.slept).toEqual([100]);
    await pacer.acquire(2);
    expect(clock.slept).toEqual([100, 200]);
  });

  it('refills with time and never beyond its capacity', async () => {
    const clock = fakeClock();
    const pacer = new TokenBucketPacer({ ratePerSecond: 2, capacity: 2, ...clock });
    await pacer.acquire(2);
    clock.advance(10_000);
    expect(pacer.waitFor(2)).toBe(0);
    expect(pacer.waitFor(3)).toBe(0); // larger than capacity: waits for a full bucket only
    await pacer.acquire(2);
    expect(pacer.waitFor(1)).toBe(500);
  });

  it('serves waiters in order and rejects an aborted one without blocking the next', async () => {
    const clock = fakeClock();
    const pacer = new TokenBucketPacer({
      ratePerSecond: 1,
      capacity: 1,
      now: clock.now,
      sleep: (ms, signal) =>
        abortableSleep(Math.min(ms, 5), signal).then(() => {
          clock.advance(ms);
        }),
    });
    await pacer.acquire(1);
    const controller = new AbortController();
    const aborted = pacer.acquire(1, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    await expect(pacer.acquire(1)).resolves.toBeUndefined();
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucketPacer({ ratePerSecond: 0 })).toThrow(RangeError);
  });
});

describe('unlimitedPacer', () => {
  it('never waits', async () => {
    await expect(unlimitedPacer.acquire(1_000_000)).resolves.toBeUndefined();
  });
});
