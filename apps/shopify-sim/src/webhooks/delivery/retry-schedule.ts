/** Shopify's policy since 2024-09-10: 8 retries spread over 4 hours with exponential backoff. */
export const SHOPIFY_MAX_RETRIES = 8;
export const SHOPIFY_RETRY_WINDOW_MS = 4 * 3600_000;

/**
 * Delays before retry 1..8, doubling each time and summing to the 4-hour window:
 * base × (2^8 − 1) = 4 h gives a first retry after ~56 s and a last one ~2 h after the seventh.
 * `timeScale` compresses the whole schedule (0.0001 turns 4 h into 1.44 s) for tests and demos.
 */
export function shopifyRetryDelaysMs(timeScale = 1, retries = SHOPIFY_MAX_RETRIES): number[] {
  if (!(timeScale > 0)) throw new Error('timeScale must be > 0');
  const base = SHOPIFY_RETRY_WINDOW_MS / (2 ** retries - 1);
  return Array.from({ length: retries }, (_, index) => base * 2 ** index * timeScale);
}
