import { JobFailedError } from '@shopwire/jobs';
import { fullJitterDelay, isBreakerOpenError, RetriesExhaustedError } from '@shopwire/resilience';
import { isShopCredentialsError } from '@shopwire/shop-credentials';
import { isShopifyAdminError } from '@shopwire/shopify-admin';
import { NoShopAccessError } from '../admin-api/sync-admin-client';

export interface AdminCallOptions {
  signal: AbortSignal;
  /** How long an outage is waited out before the job gives up (default 5 minutes). */
  patienceMs?: number;
  baseMs?: number;
  capMs?: number;
  /** Shortest wait between rounds, so a full-jitter draw near 0 cannot burn the patience early. */
  minDelayMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Whether waiting can help: an open breaker, a failure the client itself called transient, or
 * the shops service (which hands out the tokens) not answering for now.
 */
export function isAdminOutage(error: unknown): boolean {
  const cause = error instanceof RetriesExhaustedError ? error.cause : error;
  if (isBreakerOpenError(cause)) return true;
  if (isShopCredentialsError(cause)) return cause.transient;
  return isShopifyAdminError(cause) && cause.transient;
}

/**
 * A refusal retrying cannot fix: a 4xx (unknown shop), a token Shopify refused even after it was
 * replaced, a GraphQL error, or a shop the app is not installed on (uninstalled mid-job).
 */
function isRefusal(error: unknown): boolean {
  const cause = error instanceof RetriesExhaustedError ? error.cause : error;
  if (cause instanceof NoShopAccessError) return true;
  return (
    isShopifyAdminError(cause) &&
    ['HTTP_4XX', 'UNAUTHORIZED', 'GRAPHQL', 'MAX_COST_EXCEEDED'].includes(cause.code)
  );
}

/**
 * A job's first step: fails the job (`JobFailedError`, not handed back) when the shop cannot be
 * called at all; a shops service that cannot be asked right now throws as is, so the job is
 * tried again later.
 */
export async function requireAdminAccess(
  admin: { assertAccess(shop: string): Promise<void> },
  shop: string,
): Promise<void> {
  try {
    await admin.assertAccess(shop);
  } catch (error) {
    if (error instanceof NoShopAccessError) throw new JobFailedError(error.message);
    throw error;
  }
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * An Admin API call of a job. The client already retries a few times within seconds; a job has
 * time, so an outage that outlasts those (a shop's breaker open, a 5xx storm) is waited out here
 * for up to `patienceMs`, with backoff and full jitter — the job's lease is renewed meanwhile,
 * and a cancel or shutdown ends the wait — rather than failing a long import at its last page.
 * Bounded by time, not by a count of rounds: full-jitter draws near zero would otherwise spend
 * the rounds within a breaker's reset time. A refusal fails the job
 * with Shopify's reason (`JobFailedError`: not handed back, retrying cannot fix it).
 */
export async function adminCall<T>(call: () => Promise<T>, options: AdminCallOptions): Promise<T> {
  const { signal } = options;
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const giveUpAt = now() + (options.patienceMs ?? 300_000);
  for (let round = 1; ; round++) {
    try {
      return await call();
    } catch (error) {
      if (isRefusal(error)) {
        const cause = (error instanceof RetriesExhaustedError ? error.cause : error) as Error & {
          code: string;
        };
        throw new JobFailedError(
          cause instanceof NoShopAccessError
            ? cause.message
            : `Admin API refused the call: ${cause.code} ${cause.message}`,
        );
      }
      if (!isAdminOutage(error) || signal.aborted) throw error;
      const delayMs = Math.max(
        options.minDelayMs ?? 500,
        fullJitterDelay(round, options.baseMs ?? 1000, options.capMs ?? 30_000),
      );
      if (now() + delayMs > giveUpAt) throw error;
      await sleep(delayMs, signal);
      if (signal.aborted) throw error;
    }
  }
}
