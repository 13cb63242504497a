import { createHmac, timingSafeEqual } from 'node:crypto';
import { isSafeNumber, parse } from 'lossless-json';

/**
 * Checks of what the simulator sends, written from Shopify's documentation (shared/SHOPIFY.md)
 * and nothing else: the simulator's tests must not verify it with the very libs
 * (`@shopwire/shopify`) whose behaviour the simulator exists to check.
 */

/** Base64 HMAC-SHA256 of the raw body with any of the secrets, compared in constant time. */
export function signedPerShopifyDocs(
  body: Buffer | string,
  header: string | undefined,
  secrets: string[],
): boolean {
  if (!header) return false;
  const presented = Buffer.from(header, 'base64');
  return secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(body).digest();
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  });
}

/** Shopify's webhook headers, under either documented spelling (`X-Shopify-*` or `shopify-*`). */
export function webhookHeadersPerShopifyDocs(headers: Record<string, string>): {
  topic?: string;
  webhookId?: string;
  eventId?: string;
} {
  const lower = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
  const read = (name: string) => lower[`x-shopify-${name}`] ?? lower[`shopify-${name}`];
  return { topic: read('topic'), webhookId: read('webhook-id'), eventId: read('event-id') };
}

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** JSON with integers beyond 2^53 kept exact, as strings (Shopify's IDs exceed it). */
export function parseKeepingLargeIds(body: string | Buffer): JsonValue {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  return parse(text, undefined, (value) =>
    isSafeNumber(value) ? Number(value) : value,
  ) as JsonValue;
}
