import { decideRetry, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { maxAttempts: 4, baseMs: 1000, capMs: 5000, floorMs: 200 };
const half = () => 0.5;

describe('decideRetry', () => {
  it('waits the jittered backoff, never less than the floor, capped', () => {
    expect(decideRetry(1, { summary: 'x' }, policy, half)).toEqual({ giveUp: false, delayMs: 500 });
    expect(decideRetry(1, { summary: 'x' }, policy, () => 0).delayMs).toBe(200);
    expect(decideRetry(3, { summary: 'x' }, policy, half).delayMs).toBe(2000);
    expect(
      decideRetry(3, { summary: 'x' }, { ...policy, maxAttempts: 99 }, () => 0.999).delayMs,
    ).toBe(3996);
    expect(decideRetry(30, { summary: 'x' }, { ...policy, maxAttempts: 99 }, half).delayMs).toBe(
      2500,
    );
  });

  it('waits at least the Retry-After asked for, and gives up beyond maxRetryAfterMs', () => {
    const asked = { summary: 'x', retryAfterMs: 9000 };
    expect(decideRetry(1, asked, policy, half)).toEqual({ giveUp: false, delayMs: 9000 });
    expect(decideRetry(1, asked, { ...policy, maxRetryAfterMs: 8000 }, half).giveUp).toBe(true);
  });

  it('gives up on a permanent failure at once and on the last attempt', () => {
    expect(decideRetry(1, { summary: 'x', permanent: true }, policy, half).giveUp).toBe(true);
    expect(decideRetry(3, { summary: 'x' }, policy, half).giveUp).toBe(false);
    expect(decideRetry(4, { summary: 'x' }, policy, half).giveUp).toBe(true);
  });
});
