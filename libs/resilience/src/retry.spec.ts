import { nextRetryDelay, retry, RetriesExhaustedError, type RetryOptions } from './retry';

const base: RetryOptions = { attempts: 4, baseMs: 100, capMs: 1000, random: () => 0.5 };

describe('retry', () => {
  it('retries until success, waiting the jittered delays', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        if (++calls < 3) throw new Error('flaky');
        return 'ok';
      },
      { ...base, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('ok');
    expect(waits).toEqual([50, 100]);
  });

  it('gives up after the attempts, with the last error as cause', async () => {
    let calls = 0;
    const error = await retry(
      async () => {
        calls++;
        throw new Error(`fail ${calls}`);
      },
      { ...base, sleep: async () => undefined },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).attempts).toBe(4);
    expect(((error as RetriesExhaustedError).cause as Error).message).toBe('fail 4');
  });

  it('rethrows a non-retryable error at once', async () => {
    let calls = 0;
    const permanent = new Error('permanent');
    await expect(
      retry(
        async () => {
          calls++;
          throw permanent;
        },
        { ...base, retryable: (e) => e !== permanent, sleep: async () => undefined },
      ),
    ).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });
});

describe('nextRetryDelay', () => {
  it('waits at least what Retry-After asked for', () => {
    expect(nextRetryDelay(1, new Error(), { ...base, retryAfterMs: () => 1500 })).toBe(1500);
    // A jittered delay longer than the ask wins.
    expect(nextRetryDelay(3, new Error(), { ...base, retryAfterMs: () => 10 })).toBe(200);
  });

  it('gives up rather than wait beyond maxRetryAfterMs', () => {
    expect(
      nextRetryDelay(1, new Error(), {
        ...base,
        retryAfterMs: () => 120_000,
        maxRetryAfterMs: 30_000,
      }),
    ).toBeNull();
  });

  it('gives up after the last attempt', () => {
    expect(nextRetryDelay(4, new Error(), base)).toBeNull();
  });
});
