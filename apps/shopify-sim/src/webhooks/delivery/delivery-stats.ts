import type { AttemptOutcome, FailureReason } from './webhook-delivery.client';
import type { WebhookDelivery } from './webhook-envelope';

/** Where a delivery waits between being submitted and being settled. */
export type DeliveryState = 'delayed' | 'queued' | 'in_flight' | 'waiting_retry';
export type DeliveryResult = 'delivered' | 'failed' | 'cancelled';

/** Everything the engine reports; statistics and Prometheus metrics both listen. */
export interface DeliveryObserver {
  submitted(delivery: WebhookDelivery): void;
  stateChanged(from: DeliveryState | null, to: DeliveryState | null): void;
  /** `attempt` counts from 1; attempt 2 is the first retry. */
  attempted(
    delivery: WebhookDelivery,
    attempt: number,
    outcome: AttemptOutcome,
    latencyMs: number,
  ): void;
  settled(delivery: WebhookDelivery, result: DeliveryResult, attempts: number): void;
}

export interface DeliveryStatsSnapshot {
  /** Unique webhooks generated (a duplicate is not a new webhook). */
  generated: number;
  /** Webhooks not sent because no subscription (API or app configuration) wanted their topic. */
  notSubscribed: number;
  /** Deliveries handed to the engine, duplicates included. */
  submitted: number;
  duplicatesSent: number;
  /** Deliveries answered 2xx. */
  delivered: number;
  /** Deliveries given up after the last retry. */
  failed: number;
  /** Deliveries dropped because their stream was stopped. */
  cancelled: number;
  /** Retry attempts made (attempts after the first). */
  retried: number;
  attempts: number;
  inFlight: number;
  queued: number;
  waitingRetry: number;
  delayed: number;
  failuresByReason: Record<FailureReason, number>;
  /** Latency of successful attempts, over the most recent samples. */
  latencyMs: { p50: number | null; p99: number | null; max: number | null; samples: number };
}

const LATENCY_WINDOW = 10_000;

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Counters for one stream or the whole process; cheap to update on the hot path. */
export class DeliveryStats implements DeliveryObserver {
  private generatedCount = 0;
  private notSubscribedCount = 0;
  private readonly counts = {
    submitted: 0,
    duplicatesSent: 0,
    delivered: 0,
    failed: 0,
    cancelled: 0,
    retried: 0,
    attempts: 0,
  };
  private readonly states: Record<DeliveryState, number> = {
    delayed: 0,
    queued: 0,
    in_flight: 0,
    waiting_retry: 0,
  };
  private readonly failures: Record<FailureReason, number> = {
    http_status: 0,
    redirect: 0,
    timeout: 0,
    connect_timeout: 0,
    connection_error: 0,
  };
  // A ring of recent latencies: percentiles over a bounded window, not an ever-growing array.
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private latencyCount = 0;

  recordGenerated(count = 1): void {
    this.generatedCount += count;
  }

  recordNotSubscribed(): void {
    this.notSubscribedCount++;
  }

  submitted(delivery: WebhookDelivery): void {
    this.counts.submitted++;
    if (delivery.duplicate) this.counts.duplicatesSent++;
  }

  stateChanged(from: DeliveryState | null, to: DeliveryState | null): void {
    if (from) this.states[from]--;
    if (to) this.states[to]++;
  }

  attempted(
    _delivery: WebhookDelivery,
    attempt: number,
    outcome: AttemptOutcome,
    latencyMs: number,
  ): void {
    this.counts.attempts++;
    if (attempt > 1) this.counts.retried++;
    if (outcome.ok) {
      this.latencies[this.latencyCount % LATENCY_WINDOW] = latencyMs;
      this.latencyCount++;
    } else {
      this.failures[outcome.reason]++;
    }
  }

  settled(_delivery: WebhookDelivery, result: DeliveryResult): void {
    this.counts[result]++;
  }

  /** Deliveries submitted but not yet settled. */
  get pending(): number {
    return (
      this.states.delayed + this.states.queued + this.states.in_flight + this.states.waiting_retry
    );
  }

  snapshot(): DeliveryStatsSnapshot {
    const samples = Math.min(this.latencyCount, LATENCY_WINDOW);
    const sorted = Array.from(this.latencies.subarray(0, samples)).sort((a, b) => a - b);
    const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
    return {
      generated: this.generatedCount,
      notSubscribed: this.notSubscribedCount,
      ...this.counts,
      inFlight: this.states.in_flight,
      queued: this.states.queued,
      waitingRetry: this.states.waiting_retry,
      delayed: this.states.delayed,
      failuresByReason: { ...this.failures },
      latencyMs: {
        p50: round(percentile(sorted, 50)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.length ? sorted[sorted.length - 1]! : null),
        samples,
      },
    };
  }
}
