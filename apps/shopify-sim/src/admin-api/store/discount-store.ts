import { IdScheme } from './id-scheme';
import type { DiscountRecord, DiscountStatus } from './store-records';

const DAY = 24 * 3600_000;

type Seed = Omit<
  DiscountRecord,
  'index' | 'id' | 'startsAt' | 'endsAt' | 'createdAt' | 'updatedAt'
> & {
  /** Days relative to the shop's anchor day. */
  starts: number;
  ends: number | null;
};

/**
 * The discounts every simulated shop has, by kind and state, so a client sees the cases Shopify
 * has: automatic and code discounts, percentage and fixed amount, active, scheduled and expired.
 */
const SEEDS: readonly Seed[] = [
  {
    method: 'automatic',
    title: '10% off everything',
    code: null,
    value: { kind: 'percentage', percentage: 0.1 },
    starts: -30,
    ends: null,
  },
  {
    method: 'automatic',
    title: '5 off every item',
    code: null,
    value: { kind: 'amount', cents: 500 },
    starts: -10,
    ends: 3650,
  },
  {
    method: 'code',
    title: 'Welcome 15',
    code: 'WELCOME15',
    value: { kind: 'percentage', percentage: 0.15 },
    starts: -200,
    ends: null,
  },
  {
    method: 'code',
    title: 'BFCM 25',
    code: 'BFCM25',
    value: { kind: 'percentage', percentage: 0.25 },
    starts: 3000,
    ends: 3004,
  },
  {
    method: 'automatic',
    title: 'Summer sale',
    code: null,
    value: { kind: 'percentage', percentage: 0.2 },
    starts: -160,
    ends: -130,
  },
];

export const DISCOUNT_COUNT = SEEDS.length;

type DiscountPatch = Partial<Pick<DiscountRecord, 'title' | 'startsAt' | 'endsAt'>> & {
  updatedAt: Date;
};

/** A shop's discounts: the seeds above, ids above 2^53 from the shop's scheme, plus changes. */
export class DiscountStore {
  private readonly ids: IdScheme;
  private readonly patches = new Map<number, DiscountPatch>();

  constructor(
    shop: string,
    private readonly anchor: Date,
  ) {
    this.ids = new IdScheme(`${shop}:Discount`, SEEDS.length);
  }

  get count(): number {
    return SEEDS.length;
  }

  index(id: bigint): number | null {
    return this.ids.index(id);
  }

  discount(index: number): DiscountRecord {
    const { starts, ends, ...seed } = SEEDS[index]!;
    const startsAt = new Date(this.anchor.getTime() + starts * DAY);
    const generated: DiscountRecord = {
      ...seed,
      index,
      id: this.ids.id(index),
      startsAt,
      endsAt: ends === null ? null : new Date(this.anchor.getTime() + ends * DAY),
      createdAt: new Date(Math.min(startsAt.getTime(), this.anchor.getTime()) - DAY),
      updatedAt: new Date(Math.min(startsAt.getTime(), this.anchor.getTime()) - DAY),
    };
    const patch = this.patches.get(index);
    return patch ? { ...generated, ...patch } : generated;
  }

  update(index: number, changes: Omit<DiscountPatch, 'updatedAt'>, at: Date): DiscountRecord {
    this.patches.set(index, { ...this.patches.get(index), ...changes, updatedAt: at });
    return this.discount(index);
  }
}

/** Shopify's DiscountStatus, from the discount's window and the time of the request. */
export function discountStatus(discount: DiscountRecord, now: Date): DiscountStatus {
  if (discount.startsAt.getTime() > now.getTime()) return 'SCHEDULED';
  if (discount.endsAt && discount.endsAt.getTime() <= now.getTime()) return 'EXPIRED';
  return 'ACTIVE';
}
