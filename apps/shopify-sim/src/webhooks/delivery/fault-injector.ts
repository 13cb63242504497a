import type { SeededRandom } from '../../random/seeded-random';
import type { WebhookDelivery } from './webhook-envelope';

export interface FaultOptions {
  /** Probability that a delivery is sent a second time with the same webhook id. */
  duplicateProbability: number;
  /** Deliveries are shuffled within consecutive windows of this size (0 or 1: in order). */
  reorderWindow: number;
  /** A window not yet full is released after this long, so slow streams are not held back. */
  reorderMaxHoldMs: number;
  /** Probability that a delivery's first attempt is held back by up to `delayMaxMs`. */
  delayProbability: number;
  delayMaxMs: number;
}

export const NO_FAULTS: FaultOptions = {
  duplicateProbability: 0,
  reorderWindow: 0,
  reorderMaxHoldMs: 2000,
  delayProbability: 0,
  delayMaxMs: 0,
};

export interface PlannedDelivery {
  delivery: WebhookDelivery;
  initialDelayMs: number;
}

/**
 * Shopify's delivery guarantees, made visible: at-least-once (duplicates), no ordering (a newer
 * update may arrive before an older one) and lateness. Decisions come from the seeded generator,
 * so a run can be replayed.
 */
export class FaultInjector {
  private window: PlannedDelivery[] = [];
  private windowOpenedAt = 0;

  constructor(
    private readonly rng: SeededRandom,
    private readonly options: FaultOptions,
  ) {}

  /** Takes the next delivery; returns whatever is ready to send now (maybe nothing yet). */
  push(delivery: WebhookDelivery, now: number): PlannedDelivery[] {
    const planned = [this.plan(delivery)];
    if (this.rng.chance(this.options.duplicateProbability)) {
      planned.push(this.plan({ ...delivery, duplicate: true }));
    }
    if (this.options.reorderWindow <= 1) return planned;
    if (this.window.length === 0) this.windowOpenedAt = now;
    const released: PlannedDelivery[] = [];
    for (const item of planned) {
      this.window.push(item);
      if (this.window.length >= this.options.reorderWindow) released.push(...this.release());
    }
    return released;
  }

  /** Releases a partly filled window that has been held long enough. */
  tick(now: number): PlannedDelivery[] {
    if (this.window.length > 0 && now - this.windowOpenedAt >= this.options.reorderMaxHoldMs)
      return this.release();
    return [];
  }

  flush(): PlannedDelivery[] {
    return this.release();
  }

  get held(): number {
    return this.window.length;
  }

  private plan(delivery: WebhookDelivery): PlannedDelivery {
    const delayed = this.options.delayMaxMs > 0 && this.rng.chance(this.options.delayProbability);
    return { delivery, initialDelayMs: delayed ? this.rng.int(1, this.options.delayMaxMs) : 0 };
  }

  private release(): PlannedDelivery[] {
    const batch = this.rng.shuffle(this.window);
    this.window = [];
    return batch;
  }
}
