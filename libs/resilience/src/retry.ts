import { fullJitterDelay } from './backoff';

export interface RetryOptions {
  /** Attempts in all, the first included (≥ 1). */
  attempts: number;
  baseMs: number;
  capMs: number;
  /** false: give up at once (a permanent failure, or an open breaker). Default: retry all. */
  retryable?(error: unknown): boolean;
  /**
   * The wait the failed party asked for (its Retry-After, in ms), or null. It replaces the
   * jittered delay when longer, up to `maxRetryAfterMs`; beyond that the retry is given up, so a
   * caller is never parked for an hour inside one attempt.
   */
  retryAfterMs?(error: unknown): number | null;
  maxRetryAfterMs?: number;
  onRetry?(attempt: number, delayMs: number, error: unknown): void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Thrown when every attempt failed; `cause` is the last error. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`gave up after ${attempts} attempt(s): ${(cause as Error)?.message ?? String(cause)}`);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The delay before the next attempt, or null to give up now. */
export function nextRetryDelay(
  attempt: number,
  error: unknown,
  options: RetryOptions,
): number | null {
  if (attempt >= options.attempts) return null;
  if (options.retryable && !options.retryable(error)) return null;
  const jittered = fullJitterDelay(attempt, options.baseMs, options.capMs, options.random);
  const asked = options.retryAfterMs?.(error) ?? null;
  if (asked === null) return jittered;
  if (asked > (options.maxRetryAfterMs ?? 60_000)) return null;
  return Math.max(asked, jittered);
}

/**
 * Calls `work` until it resolves or the attempts run out; between attempts waits with
 * exponential backoff and full jitter, or the Retry-After the other side asked for. A
 * non-retryable error is rethrown as is; running out throws `RetriesExhaustedError`.
 */
export async function retry<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const delayMs = nextRetryDelay(attempt, error, options);
      if (delayMs === null) {
        if (options.retryable && !options.retryable(error)) throw error;
        throw new RetriesExhaustedError(attempt, error);
      }
      options.onRetry?.(attempt, delayMs, error);
      await sleep(delayMs);
    }
  }
}
