import { stringify } from 'lossless-json';

/**
 * Payload values as the generators build them. Shopify's numeric ids are `bigint` here, never a
 * JS number: they exceed 2^53 and a number would round them before they reach the wire.
 */
export type JsonValue =
  null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Serialises a payload the way Shopify does: compact JSON with ids as bare integers, exactly as
 * many digits as the BigInt holds. `JSON.stringify` throws on BigInt; lossless-json writes it
 * verbatim. A plain number that is not exactly representable is a generator bug, so it throws
 * instead of silently shipping a rounded value.
 */
export function toShopifyJson(value: JsonValue): Buffer {
  assertSafeNumbers(value, '$');
  const text = stringify(value);
  if (text === undefined) throw new Error('payload did not serialise');
  return Buffer.from(text, 'utf8');
}

function assertSafeNumbers(value: JsonValue, path: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
      throw new Error(`unsafe number at ${path}: use a bigint for ids`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => assertSafeNumbers(item, `${path}[${index}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) assertSafeNumbers(item, `${path}.${key}`);
  }
}
