import { LRUCache } from 'lru-cache';
import { breakerHealth, createBreaker, type Breaker, type BreakerOptions } from './breaker';

export interface BreakerRegistryOptions<TArgs extends unknown[], TResult> {
  /**
   * Breakers kept at most. Keys come from outside (a callback's host, a shop), so without a cap
   * one caller naming a new host per request would grow the map, and the metric's label set, for
   * ever. Past the cap the least recently used breaker is shut down and forgotten.
   */
  max: number;
  /** The guarded action, shared by every key's breaker. */
  action(...args: TArgs): Promise<TResult>;
  /** The options of the breaker for one key (its `name` usually carries the key). */
  optionsFor(key: string): BreakerOptions;
}

/**
 * One circuit breaker per key (a receiving origin, a shop), bounded: least recently used first
 * out. Forgetting a breaker forgets what it knew: a receiver that comes back into use starts
 * closed, which costs at most one more failing round before it opens again.
 */
export class BreakerRegistry<TArgs extends unknown[], TResult> {
  private readonly breakers: LRUCache<string, Breaker<TArgs, TResult>>;

  constructor(private readonly options: BreakerRegistryOptions<TArgs, TResult>) {
    if (!Number.isInteger(options.max) || options.max < 1) {
      throw new Error('BreakerRegistry max must be a positive integer');
    }
    this.breakers = new LRUCache<string, Breaker<TArgs, TResult>>({
      max: options.max,
      // Unregisters its gauge series too (createBreaker listens for shutdown).
      dispose: (breaker) => breaker.shutdown(),
    });
  }

  /** The key's breaker, made on first use. */
  get(key: string): Breaker<TArgs, TResult> {
    let breaker = this.breakers.get(key);
    if (!breaker) {
      breaker = createBreaker(this.options.action, this.options.optionsFor(key));
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  get size(): number {
    return this.breakers.size;
  }

  has(key: string): boolean {
    return this.breakers.has(key);
  }

  /** Health of every breaker held, by key (no payloads, only counts). */
  health(): Record<string, Record<string, unknown>> {
    const result: Record<string, Record<string, unknown>> = {};
    for (const [key, breaker] of this.breakers.entries()) result[key] = breakerHealth(breaker);
    return result;
  }

  /** Shuts every breaker down (at shutdown). */
  clear(): void {
    this.breakers.clear();
  }
}
