/** Milliseconds since the epoch; injected so tests drive time instead of waiting for it. */
export type Clock = () => number;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/**
 * The leaky bucket behind both of Shopify's limits, kept as "points available": it starts full,
 * a call takes points out, and points flow back at `restoreRate` per second up to `capacity`.
 * GraphQL takes a query's requested cost and gives back what it did not use; REST takes 1 per
 * request. Refilling is computed from the clock on every read, so an idle shop costs nothing.
 */
export class LeakyBucket {
  private available: number;
  private updatedAt: number;

  constructor(
    readonly capacity: number,
    readonly restoreRate: number,
    private readonly clock: Clock,
  ) {
    this.available = capacity;
    this.updatedAt = clock();
  }

  /** Points available now (fractional: restoring is continuous). */
  level(): number {
    const now = this.clock();
    if (now > this.updatedAt) {
      this.available = Math.min(
        this.capacity,
        this.available + ((now - this.updatedAt) / 1000) * this.restoreRate,
      );
    }
    this.updatedAt = Math.max(this.updatedAt, now);
    return this.available;
  }

  /** Takes `points` if that many are available; otherwise takes nothing and answers false. */
  tryTake(points: number): boolean {
    if (this.level() < points) return false;
    this.available -= points;
    return true;
  }

  /** Gives back points reserved but not used (never above the capacity). */
  refund(points: number): void {
    if (points <= 0) return;
    this.available = Math.min(this.capacity, this.level() + points);
  }

  /** Seconds until `points` will be available (0 if they are now). */
  secondsUntil(points: number): number {
    const missing = points - this.level();
    return missing <= 0 ? 0 : missing / this.restoreRate;
  }

  status(): ThrottleStatus {
    return {
      maximumAvailable: this.capacity,
      // Shopify reports whole points; flooring never promises a point that is not there yet.
      currentlyAvailable: Math.floor(this.level()),
      restoreRate: this.restoreRate,
    };
  }
}
