import type { SalesOrderEvent } from './order-event';

/**
 * What one order contributes to the aggregates, given its newest known state. Aggregates are the
 * sum of every order's current contribution; a newer state replaces the old one (old subtracted,
 * new added), a cancellation (or a test order) contributes nothing, and an older state loses. The
 * totals therefore depend only on each order's newest state, never on how often or in which order
 * its events arrived. Money stays a decimal string here; Postgres does the arithmetic.
 */
export interface ContributionLine {
  /** `p:<product id>`, else `s:<sku>`, else `t:<title>`: how top products group lines. */
  productKey: string;
  productId: string | null;
  sku: string | null;
  title: string | null;
  quantity: number;
  /** Unit price, decimal string. */
  price: string;
}

export interface Contribution {
  /** The order's updated_at (UTC ISO). */
  version: string;
  cancelled: boolean;
  /** Whether it counts at all: not cancelled, not a test order. */
  counted: boolean;
  /** UTC day of the order's created_at, YYYY-MM-DD. */
  day: string;
  currency: string;
  gross: string;
  tax: string;
  discounts: string;
  lines: ContributionLine[];
}

export interface DailyDelta {
  day: string;
  currency: string;
  orders: number;
  gross: string;
  tax: string;
  discounts: string;
}

export interface ProductDelta {
  day: string;
  currency: string;
  productKey: string;
  productId: string | null;
  sku: string | null;
  title: string | null;
  /** Signed: negative when a contribution is taken back. */
  units: number;
  price: string;
}

export type Decision = 'apply' | 'unchanged' | 'stale';

/** ISO 4217 has "XXX" for "no currency": an order without one still counts somewhere visible. */
const NO_CURRENCY = 'XXX';

export function contributionOf(event: SalesOrderEvent): Contribution {
  const { order } = event;
  const cancelled = event.kind === 'cancelled' || order.cancelledAt !== null;
  // created_at decides the day; an order without one falls on the day of its version.
  const day = new Date(order.createdAt ?? event.version).toISOString().slice(0, 10);
  return {
    version: event.version,
    cancelled,
    counted: !cancelled && !order.test,
    day,
    currency: order.currency ?? NO_CURRENCY,
    gross: order.totalPrice ?? '0',
    tax: order.totalTax ?? '0',
    discounts: order.totalDiscounts ?? '0',
    lines: order.lineItems
      .filter((line) => line.quantity > 0)
      .map((line) => ({
        productKey:
          line.productId !== null
            ? `p:${line.productId}`
            : line.sku
              ? `s:${line.sku}`
              : `t:${line.title ?? ''}`,
        productId: line.productId,
        sku: line.sku,
        title: line.title,
        quantity: line.quantity,
        price: line.price ?? '0',
      })),
  };
}

/**
 * Whether `next` replaces `previous`. Newer wins; equal versions carry the same state (several
 * events of one change), except that a cancellation beats a non-cancelled state of the same
 * version, so the outcome does not depend on which of the two came first.
 */
export function decide(
  previous: Pick<Contribution, 'version' | 'cancelled'> | null,
  next: Pick<Contribution, 'version' | 'cancelled'>,
): Decision {
  if (previous === null) return 'apply';
  const before = Date.parse(previous.version);
  const after = Date.parse(next.version);
  if (after > before) return 'apply';
  if (after < before) return 'stale';
  return next.cancelled && !previous.cancelled ? 'apply' : 'unchanged';
}

/** Exact negation of a decimal string. */
export function negate(decimal: string): string {
  if (decimal.startsWith('-')) return decimal.slice(1);
  return /^0*(\.0*)?$/.test(decimal) ? decimal : `-${decimal}`;
}

function signed(contribution: Contribution, sign: 1 | -1) {
  const money = (value: string) => (sign === 1 ? value : negate(value));
  const daily: DailyDelta = {
    day: contribution.day,
    currency: contribution.currency,
    orders: sign,
    gross: money(contribution.gross),
    tax: money(contribution.tax),
    discounts: money(contribution.discounts),
  };
  const products: ProductDelta[] = contribution.lines.map((line) => ({
    day: contribution.day,
    currency: contribution.currency,
    productKey: line.productKey,
    productId: line.productId,
    sku: line.sku,
    title: line.title,
    units: sign * line.quantity,
    price: line.price,
  }));
  return { daily, products };
}

/** The deltas that turn `previous`'s contribution into `next`'s. */
export function deltasBetween(
  previous: Contribution | null,
  next: Contribution,
): { daily: DailyDelta[]; products: ProductDelta[] } {
  const daily: DailyDelta[] = [];
  const products: ProductDelta[] = [];
  for (const [contribution, sign] of [
    [previous, -1],
    [next, 1],
  ] as const) {
    if (!contribution?.counted) continue;
    const part = signed(contribution, sign);
    daily.push(part.daily);
    products.push(...part.products);
  }
  return { daily, products };
}
