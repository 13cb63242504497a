/**
 * Shopify's `timestamp` query parameter: seconds since the epoch when the request was signed. A
 * signed link older (or further in the future) than the allowed skew is refused, so a leaked
 * callback URL cannot be replayed later.
 */
const EPOCH_SECONDS = /^\d{1,12}$/;

export function isFreshTimestamp(
  value: string | undefined,
  now: Date,
  maxSkewSeconds: number,
): boolean {
  if (value === undefined || !EPOCH_SECONDS.test(value)) return false;
  const skewMs = Math.abs(now.getTime() - Number(value) * 1000);
  return skewMs <= maxSkewSeconds * 1000;
}
