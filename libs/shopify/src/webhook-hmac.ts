import { createHmac, timingSafeEqual } from 'node:crypto';

const SHA256_BYTES = 32;

/**
 * Shopify's webhook signature: HMAC-SHA256 over the raw body bytes, keyed with the app's client
 * secret, base64-encoded. It must be computed over the bytes as received: re-serialising a parsed
 * body changes them (key order, spacing, big numbers) and breaks the signature.
 */
export function signWebhookBody(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/**
 * True when `signature` (the `X-Shopify-Hmac-Sha256` header) matches `body` under any of
 * `secrets`. Several secrets are accepted because after a rotation Shopify may keep signing with
 * the old one for up to an hour. Digests are compared with `timingSafeEqual`, and every secret is
 * tried even after a match, so the time taken says nothing about how close a forgery came.
 */
export function verifyWebhookHmac(
  body: Buffer,
  signature: string | undefined | null,
  secrets: readonly string[],
): boolean {
  if (!signature || secrets.length === 0) return false;
  const received = Buffer.from(signature, 'base64');
  // A wrong length cannot match; the length of a header is not a secret.
  if (received.length !== SHA256_BYTES) return false;
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    if (timingSafeEqual(expected, received)) matched = true;
  }
  return matched;
}
