import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Shopify signs the query of the requests it sends a merchant's browser with (the install request
 * and the OAuth callback): drop `hmac` (and the legacy `signature`), sort the remaining
 * parameters by name, join them as `key=value` with `&`, HMAC-SHA256 with the app's client
 * secret, hex.
 */

/** A query whose every parameter appears once, values decoded. */
export type QueryParams = ReadonlyMap<string, string>;

const UNSIGNED = new Set(['hmac', 'signature']);
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * The parameters of a raw query string (with or without its `?`), or null when a name appears
 * twice: Shopify never repeats one in these requests, and a repeat would leave it open which
 * copy was signed and which one the handler reads.
 */
export function parseQuery(search: string): QueryParams | null {
  const params = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(search)) {
    if (params.has(key)) return null;
    params.set(key, value);
  }
  return params;
}

/** The message Shopify signs for these parameters. */
export function signedMessage(params: QueryParams): string {
  return [...params]
    .filter(([key]) => !UNSIGNED.has(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** The hex `hmac` Shopify would put on these parameters (tests and signed links use it). */
export function signQuery(params: QueryParams, secret: string): string {
  return createHmac('sha256', secret).update(signedMessage(params), 'utf8').digest('hex');
}

/**
 * Whether the query's `hmac` is Shopify's signature of the rest of it. The comparison is on the
 * 32 decoded bytes with `timingSafeEqual`, so its time says nothing about how much of a forged
 * value was right; a malformed `hmac` is refused before any comparison.
 */
export function verifyQueryHmac(params: QueryParams, secret: string): boolean {
  const presented = params.get('hmac');
  if (presented === undefined || !HEX_SHA256.test(presented)) return false;
  const expected = createHmac('sha256', secret).update(signedMessage(params), 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(presented, 'hex'));
}
