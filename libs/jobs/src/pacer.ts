/**
 * Paces a job's units of work. Handlers call `context.pace(cost)` before each unit; the Shopify
 * budget client (shared per shop, in Redis) will implement this interface, so a report job and a
 * webhook-driven call draw from the same budget. Until then: unlimited, or a local token bucket.
 */
export interface Pacer {
  /** Resolves when `cost` units may be spent; rejects with the signal's reason when aborted. */
  acquire(cost: number, signal?: AbortSignal): Promise<void>;
}

export const unlimitedPacer: Pacer = {
  acquire: () => Promise.resolve(),
};

export interface TokenBucketOptions {
  /** Units restored per second. */
  ratePerSecond: number;
  /** Bucket size: the largest burst. Default one second's worth. */
  capacity?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * A token bucket in one process: `capacity` units, refilled continuously at `ratePerSecond`. A
 * request larger than the capacity waits until the bucket is full and then drives it negative, so
 * it is served rather than starved. Waiters are served in order.
 */
export class TokenBucketPacer implements Pacer {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    this.capacity = options.capacity ?? options.ratePerSecond;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    this.tokens = this.capacity;
    this.updatedAt = this.now();
  }

  /** How long a request for `cost` units would wait now (0 if it can go at once). */
  waitFor(cost: number): number {
    this.refill();
    const needed = Math.min(cost, this.capacity) - this.tokens;
    return needed <= 0 ? 0 : Math.ceil((needed / this.options.ratePerSecond) * 1000);
  }

  acquire(cost = 1, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const wait = this.waitFor(cost);
        if (wait === 0) break;
        await this.sleep(wait, signal);
      }
      this.tokens -= cost;
    });
    // The next waiter goes after this one whether it was served or aborted.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.options.ratePerSecond);
    this.updatedAt = now;
  }
}

/** setTimeout that rejects with the signal's reason as soon as the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(done, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    }
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
