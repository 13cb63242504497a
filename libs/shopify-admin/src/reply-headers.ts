import { parseRetryAfter } from '@shopwire/resilience';

/** `X-Shopify-Shop-Api-Call-Limit: 32/40` → { used: 32, max: 40 }; null when absent or odd. */
export function parseCallLimit(
  value: string | string[] | undefined,
): { used: number; max: number } | null {
  const text = Array.isArray(value) ? value[0] : value;
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text ?? '');
  if (!match) return null;
  const [used, max] = [Number(match[1]), Number(match[2])];
  return max > 0 ? { used, max } : null;
}

/**
 * The `page_info` cursors of a REST `Link` header
 * (`<https://…/products.json?limit=50&page_info=abc>; rel="next", <…>; rel="previous"`).
 */
export function parseLinkHeader(value: string | string[] | undefined): {
  next: string | null;
  previous: string | null;
} {
  const result = { next: null as string | null, previous: null as string | null };
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  for (const match of text.matchAll(/<([^>]*)>\s*;\s*rel="?(next|previous)"?/g)) {
    let pageInfo: string | null = null;
    try {
      pageInfo = new URL(match[1], 'http://placeholder').searchParams.get('page_info');
    } catch {
      pageInfo = null;
    }
    if (pageInfo) result[match[2] as 'next' | 'previous'] = pageInfo;
  }
  return result;
}

/**
 * A 429's wait in ms. Shopify's Retry-After is in seconds and may be fractional (`2.0`); one of
 * its own clients once slept that many milliseconds instead. Absent or unreadable: one second,
 * the REST bucket's time to leak at least one call on every plan.
 */
export function retryAfterMsOf(value: string | string[] | undefined): number {
  return parseRetryAfter(value) ?? 1000;
}
