import type { JsonObject } from './shopify-json.writer';

/** Money travels as a decimal string ("19.99"); amounts are kept in integer cents until written. */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function moneySet(
  shopCents: number,
  shopCurrency: string,
  presentmentCents: number,
  presentmentCurrency: string,
): JsonObject {
  return {
    shop_money: { amount: money(shopCents), currency_code: shopCurrency },
    presentment_money: { amount: money(presentmentCents), currency_code: presentmentCurrency },
  };
}

/**
 * Shopify's REST timestamps: second precision in the shop's timezone with its offset,
 * e.g. `2026-11-27T09:14:03-05:00`.
 */
export function shopifyTime(at: Date, utcOffsetMinutes: number): string {
  const local = new Date(Math.floor(at.getTime() / 1000) * 1000 + utcOffsetMinutes * 60_000);
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(utcOffsetMinutes);
  const hh = String(Math.floor(offset / 60)).padStart(2, '0');
  const mm = String(offset % 60).padStart(2, '0');
  return `${local.toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
}

/** Timestamps only resolve to the second, so a later change must land on a later second. */
export function laterThan(previous: Date, candidate: Date): Date {
  const floor = Math.floor(previous.getTime() / 1000) * 1000 + 1000;
  return candidate.getTime() >= floor ? candidate : new Date(floor);
}

export function gid(type: string, id: bigint): string {
  return `gid://shopify/${type}/${id}`;
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
