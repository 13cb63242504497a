import { fullJitterDelay } from '@shopwire/resilience';

/** When a failed delivery is tried again, and when it is given up. */
export interface RetryPolicy {
  /** Attempts in all (across passes and replicas); the last failure gives up. */
  maxAttempts: number;
  /** Backoff with full jitter: uniform in [0, min(cap, base·2^(attempt-1))). */
  baseMs: number;
  capMs: number;
  /** Never due again sooner than this (a destination's own retry spacing). */
  floorMs?: number;
  /** A Retry-After beyond this gives up rather than parking the row that long. Default: none. */
  maxRetryAfterMs?: number;
}

/** What a failed delivery says about itself; from the queue's `describeFailure`. */
export interface DeliveryFailure {
  /** For the row's last error and the log: a status or error code, no payload, no addresses. */
  summary: string;
  /** No later attempt can succeed (a refused recipient, a 4xx on our request): give up now. */
  permanent?: boolean;
  /** The wait the destination asked for (its Retry-After), in ms. */
  retryAfterMs?: number | null;
}

export interface RetryDecision {
  giveUp: boolean;
  /** When the row is due again (also written when giving up; harmless there). */
  delayMs: number;
}

/**
 * The outcome of failed attempt number `attempt` (1 = the first): give up when it was permanent,
 * the last allowed, or asked for a wait beyond `maxRetryAfterMs`; else due again after the
 * longest of the jittered backoff, the destination's Retry-After and the floor.
 */
export function decideRetry(
  attempt: number,
  failure: DeliveryFailure,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  const asked = failure.retryAfterMs ?? null;
  const delayMs = Math.max(
    policy.floorMs ?? 0,
    asked ?? 0,
    fullJitterDelay(attempt, policy.baseMs, policy.capMs, random),
  );
  const giveUp =
    !!failure.permanent ||
    attempt >= policy.maxAttempts ||
    (asked !== null && policy.maxRetryAfterMs !== undefined && asked > policy.maxRetryAfterMs);
  return { giveUp, delayMs };
}
