import { withTimeout } from '@shopwire/resilience';
import type { LocalBudget } from './local-budget';
import type {
  BucketState,
  BudgetMode,
  Priority,
  RedisBudget,
  Reservation,
  Settlement,
} from './redis-budget';

export interface FallbackBudgetOptions {
  /** A Redis round trip not answered within this counts as Redis unreachable. */
  redisTimeoutMs: number;
  /** While in fallback, Redis is tried again at most this often (by one call, not by every one). */
  probeIntervalMs: number;
  /** Told on every switch; `cause` is the Redis failure that started a fallback. */
  onModeChange(mode: BudgetMode, cause?: unknown): void;
  now?: () => number;
}

/**
 * Redis errors that say the server is there but cannot serve for now; any other reply error
 * (a script's own error) is a bug that a local bucket would only hide.
 */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY)\b/;

/**
 * Whether a Redis failure means "Redis cannot be reached": refused or dropped connections, the
 * client's own retry limit, timeouts — anything that is not Redis answering with an error.
 */
export function isRedisUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // by name: the app and this lib may load different copies of ioredis / redis-errors
  if (error.name === 'ReplyError') return UNAVAILABLE_REPLY.test(error.message);
  // a bug in our own code, not the network
  if (error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError)
    return false;
  return true;
}

/**
 * The budget a client spends from: the shared Redis budget while Redis answers, and the local
 * share (`LocalBudget`) while it cannot be reached, so calls to Shopify go on — more slowly —
 * through a Redis outage instead of failing. The first unreachable error switches to fallback at
 * once (a breaker counting failures over a window of earlier successes would make every call pay
 * a timeout first); from then on Redis is not asked at all until `probeIntervalMs` has passed,
 * then one call tries it and, if it answers, every call is back on the shared budget.
 */
export class FallbackBudget {
  private current: BudgetMode = 'shared';
  /** In fallback: when the next call may try Redis again. */
  private probeAt = 0;
  private readonly now: () => number;

  constructor(
    private readonly shared: RedisBudget,
    private readonly local: LocalBudget,
    private readonly options: FallbackBudgetOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get mode(): BudgetMode {
    return this.current;
  }

  async reserve(shop: string, cost: number, priority: Priority): Promise<Reservation> {
    if (this.mayAskRedis()) {
      try {
        const reservation = await this.redis(() => this.shared.reserve(shop, cost, priority));
        this.switchTo('shared');
        return reservation;
      } catch (error) {
        if (!isRedisUnreachable(error)) throw error;
        this.switchTo('fallback', error);
      }
    }
    return this.local.reserve(shop, cost, priority);
  }

  /** Settles a reservation where it was made (`mode`), and keeps the local share trued up. */
  async settle(shop: string, mode: BudgetMode, settlement: Settlement): Promise<void> {
    if (mode === 'fallback') {
      this.local.settle(shop, settlement);
      return;
    }
    this.local.observe(shop, settlement);
    // A shared reservation still in flight when Redis went away: its refund is dropped (the
    // shared model keeps the points spent, which errs on the safe side) rather than wait for a
    // Redis known to be down.
    if (this.current === 'fallback') return;
    try {
      await this.redis(() => this.shared.settle(shop, settlement));
    } catch (error) {
      if (!isRedisUnreachable(error)) throw error;
      this.switchTo('fallback', error);
    }
  }

  peek(shop: string): Promise<BucketState> {
    return this.current === 'shared'
      ? this.redis(() => this.shared.peek(shop))
      : Promise.resolve(this.local.peek(shop));
  }

  private mayAskRedis(): boolean {
    if (this.current === 'shared') return true;
    const now = this.now();
    if (now < this.probeAt) return false;
    // this call is the probe; the others stay local until the next interval
    this.probeAt = now + this.options.probeIntervalMs;
    return true;
  }

  private redis<T>(work: () => Promise<T>): Promise<T> {
    return withTimeout(this.options.redisTimeoutMs, 'Shopify budget Redis', () => work());
  }

  private switchTo(mode: BudgetMode, cause?: unknown): void {
    if (mode === 'fallback') this.probeAt = this.now() + this.options.probeIntervalMs;
    if (mode === this.current) return;
    this.current = mode;
    this.options.onModeChange(mode, cause);
  }
}
