import { isSafeNumber, parse } from 'lossless-json';

/**
 * Shopify's numeric IDs exceed 2^53 (an order id looks like 820982911946154508) and `JSON.parse`
 * silently rounds them. This parser keeps every number that a JS number cannot hold exactly as
 * its decimal string, and returns the rest as numbers; read IDs through `shopifyId`, which gives
 * the exact digits either way.
 */
export type ShopifyJson =
  null | boolean | number | string | ShopifyJson[] | { [key: string]: ShopifyJson };

export class ShopifyJsonError extends Error {
  override readonly name = 'ShopifyJsonError';
}

function parseNumber(text: string): number | string {
  return isSafeNumber(text) ? Number(text) : text;
}

export function parseShopifyJson(text: string | Buffer): ShopifyJson {
  try {
    return parse(
      typeof text === 'string' ? text : text.toString('utf8'),
      null,
      parseNumber,
    ) as ShopifyJson;
  } catch (error) {
    throw new ShopifyJsonError(`body is not valid JSON: ${(error as Error).message}`);
  }
}

/** An ID as its exact decimal (or GID) string; null when absent or not an ID-like value. */
export function shopifyId(value: ShopifyJson | undefined): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return null;
}

/** Follows a dotted path (`customer.id`) through nested objects. */
export function readPath(value: ShopifyJson, path: string): ShopifyJson | undefined {
  let current: ShopifyJson | undefined = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function isJsonObject(value: ShopifyJson): value is { [key: string]: ShopifyJson } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
