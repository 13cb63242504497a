import { SeededRandom } from '../../random/seeded-random';

/** What the generators need to know about a simulated shop; derived from its domain alone. */
export interface ShopProfile {
  domain: string;
  /** Shop ids are small in practice (e.g. 548380009); they stay plain numbers. */
  id: number;
  name: string;
  email: string;
  currency: string;
  /** A share of orders is paid in another currency, to exercise presentment money. */
  presentment: { currency: string; rate: number };
  /** Fixed UTC offset of the shop's timezone; Shopify writes timestamps in the shop's zone. */
  utcOffsetMinutes: number;
  locationIds: bigint[];
}

const CURRENCIES = [
  { currency: 'USD', presentment: { currency: 'CAD', rate: 1.37 }, utcOffsetMinutes: -300 },
  { currency: 'CAD', presentment: { currency: 'USD', rate: 0.73 }, utcOffsetMinutes: -300 },
  { currency: 'EUR', presentment: { currency: 'GBP', rate: 0.85 }, utcOffsetMinutes: 60 },
  { currency: 'GBP', presentment: { currency: 'EUR', rate: 1.17 }, utcOffsetMinutes: 0 },
] as const;

/** 18-digit ids, all above 2^53 (9007199254740992), like Shopify's sample 820982911946154508. */
export const ID_MIN = 100_000_000_000_000_000n;
export const ID_MAX = 999_999_999_999_999_999n;

export function shopifyBigId(rng: SeededRandom): bigint {
  return rng.bigint(ID_MIN, ID_MAX);
}

export function shopProfile(domain: string): ShopProfile {
  const rng = new SeededRandom(`shop:${domain}`);
  const handle = domain.replace(/\.myshopify\.com$/, '');
  const money = rng.pick(CURRENCIES);
  return {
    domain,
    id: rng.int(10_000_000, 99_999_999_999),
    name: handle
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' '),
    email: `owner@${handle}.example.com`,
    currency: money.currency,
    presentment: { ...money.presentment },
    utcOffsetMinutes: money.utcOffsetMinutes,
    locationIds: [shopifyBigId(rng), shopifyBigId(rng)],
  };
}
