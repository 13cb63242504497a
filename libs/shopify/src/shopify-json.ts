import { type ExactJson, parseExactJson } from '@shopwire/contracts';

/**
 * Shopify's numeric IDs exceed 2^53 (an order id looks like 820982911946154508) and `JSON.parse`
 * silently rounds them. This parser (the contracts' `parseExactJson`, which every decoder of a
 * webhook body uses) keeps every number that a JS number cannot hold exactly as its decimal
 * string, and returns the rest as numbers; read IDs through `shopifyId`, which gives the exact
 * digits either way.
 */
export type ShopifyJson = ExactJson;

export class ShopifyJsonError extends Error {
  override readonly name = 'ShopifyJsonError';
}

export function parseShopifyJson(text: string | Buffer): ShopifyJson {
  try {
    return parseExactJson(text);
  } catch (error) {
    throw new ShopifyJsonError((error as Error).message);
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
