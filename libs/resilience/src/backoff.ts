/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base·2^(attempt-1))).
 * Full jitter spreads callers that failed together (an outage of the third party) instead of
 * having them come back in lockstep and knock it over again.
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` as milliseconds from `now`, or null when absent or unreadable. RFC 9110 allows
 * delay-seconds or an HTTP-date; some services send fractional seconds ("1.5"), which are taken
 * as seconds too — never as milliseconds. A date in the past means "now" (0).
 */
export function parseRetryAfter(
  value: string | string[] | null | undefined,
  now: number = Date.now(),
): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP-date always names a weekday or month; a bare number that failed the test above
  // (e.g. "-1", "1e3") is not one, and Date.parse would accept some of those.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
