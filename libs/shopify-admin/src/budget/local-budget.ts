import {
  DEFAULT_BUDGET_POLICY,
  PRIORITY_RANK,
  type BucketDefaults,
  type BucketState,
  type BudgetPolicy,
  type Priority,
  type Reservation,
  type Settlement,
} from './redis-budget';

interface ShopBucket {
  /** Our share's points, as of `updatedAt`. */
  available: number;
  /** Our share of the shop's bucket and of its restore rate. */
  max: number;
  restorePerSecond: number;
  updatedAt: number;
}

/**
 * The budget of last resort, used while Redis cannot be reached: one leaky bucket per shop in
 * this process, holding only this process's share of the shop's bucket — size and restore rate
 * divided by `share`, the number of processes that may be spending from the shop at the same time
 * (each of them, cut off from Redis too, keeps to its own share, so together they stay inside
 * Shopify's bucket). Same rules as the shared script: the margin and the reporting reserve as
 * fractions of the (share's) bucket, a call dearer than the bucket clamped, refunds added back,
 * and Shopify's `currentlyAvailable` followed downwards — of what Shopify says is left, this
 * process takes at most its share, leaving the rest to the others. Pure logic, its clock injected.
 */
export class LocalBudget {
  private readonly shops = new Map<string, ShopBucket>();

  constructor(
    private readonly defaults: BucketDefaults,
    readonly share: number,
    private readonly policy: BudgetPolicy = DEFAULT_BUDGET_POLICY,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isFinite(share) || share < 1)
      throw new RangeError(`fallback share must be a number ≥ 1, got ${share}`);
  }

  reserve(shop: string, cost: number, priority: Priority): Reservation {
    const bucket = this.bucket(shop);
    let floor = this.policy.marginFraction * bucket.max;
    if (PRIORITY_RANK[priority] === 2) floor += this.policy.reportingReserveFraction * bucket.max;
    // a call dearer than the share can ever hold above its floor would wait forever
    const reserved = Math.min(Math.max(0, cost), Math.max(0, bucket.max - floor));
    // the epsilon: a clamped call exactly fills the share, which float rounding may miss by 1e-13
    if (bucket.available - reserved >= floor - 1e-9) {
      bucket.available -= reserved;
      return this.reply(true, 0, bucket, reserved);
    }
    const waitMs = Math.ceil(
      ((reserved + floor - bucket.available) * 1000) / bucket.restorePerSecond,
    );
    return this.reply(false, waitMs, bucket, reserved);
  }

  /** A reply to a call this budget admitted: the refund, then what the reply reported. */
  settle(shop: string, settlement: Settlement): void {
    const bucket = this.bucket(shop);
    if (settlement.actual !== null && settlement.actual >= 0)
      bucket.available += settlement.reserved - settlement.actual;
    this.follow(bucket, settlement);
  }

  /**
   * A reply to a call the shared budget admitted: only what it reported, so that if Redis goes
   * away the local share starts from Shopify's latest numbers rather than from a full bucket.
   */
  observe(shop: string, settlement: Settlement): void {
    this.follow(this.bucket(shop), settlement);
  }

  peek(shop: string): BucketState {
    const { available, max, restorePerSecond } = this.bucket(shop);
    return { available, max, restorePerSecond };
  }

  private follow(bucket: ShopBucket, settlement: Settlement): void {
    const { reportedAvailable, reportedMax, reportedRestorePerSecond } = settlement;
    if (reportedMax !== undefined && reportedMax > 0) bucket.max = reportedMax / this.share;
    if (reportedRestorePerSecond !== undefined && reportedRestorePerSecond > 0)
      bucket.restorePerSecond = reportedRestorePerSecond / this.share;
    if (reportedAvailable !== undefined && reportedAvailable >= 0) {
      const ours = reportedAvailable / this.share;
      // As in the shared script: a report slightly below the model is its transit time, not a
      // discrepancy; after a THROTTLED or 429 (strict) it is followed exactly.
      const tolerance = settlement.strict ? 0 : (this.policy.marginFraction / 2) * bucket.max;
      if (ours < bucket.available - tolerance) bucket.available = ours;
    }
    bucket.available = Math.min(bucket.max, Math.max(bucket.available, -bucket.max));
  }

  /** The shop's bucket, restored up to now. */
  private bucket(shop: string): ShopBucket {
    const now = this.now();
    let bucket = this.shops.get(shop);
    if (!bucket) {
      const max = this.defaults.max / this.share;
      bucket = {
        available: max,
        max,
        restorePerSecond: this.defaults.restorePerSecond / this.share,
        updatedAt: now,
      };
      this.shops.set(shop, bucket);
    }
    if (now > bucket.updatedAt)
      bucket.available = Math.min(
        bucket.max,
        bucket.available + ((now - bucket.updatedAt) * bucket.restorePerSecond) / 1000,
      );
    bucket.updatedAt = now;
    return bucket;
  }

  private reply(
    granted: boolean,
    waitMs: number,
    bucket: ShopBucket,
    reserved: number,
  ): Reservation {
    return {
      granted,
      waitMs,
      available: Math.floor(bucket.available),
      reserved,
      mode: 'fallback',
    };
  }
}
