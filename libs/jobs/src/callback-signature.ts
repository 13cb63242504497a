import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the completion callback's signature. */
export const CALLBACK_SIGNATURE_HEADER = 'X-Shopwire-Hmac-Sha256';

/** HMAC-SHA256 of the exact body bytes, keyed with `JOBS_CALLBACK_SECRET`, base64. */
export function signCallback(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/**
 * What a receiver does (and what the tests do): recompute over the raw bytes it received —
 * never a re-serialised parse — and compare in constant time.
 */
export function verifyCallback(
  body: Buffer | string,
  signature: string | undefined,
  secret: string,
): boolean {
  if (typeof signature !== 'string') return false;
  const expected = Buffer.from(signCallback(body, secret), 'base64');
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
