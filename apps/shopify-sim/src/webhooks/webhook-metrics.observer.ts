import { Counter, Gauge, Histogram, type Registry } from '@shopwire/observability';
import type { DeliveryObserver, DeliveryResult, DeliveryState } from './delivery/delivery-stats';
import type { AttemptOutcome } from './delivery/webhook-delivery.client';
import type { WebhookDelivery } from './delivery/webhook-envelope';

/** Prometheus view of the delivery engine; labels stay low-cardinality (topic, outcome, reason). */
export class WebhookMetricsObserver implements DeliveryObserver {
  private readonly submittedTotal: Counter<'topic' | 'duplicate'>;
  private readonly settledTotal: Counter<'topic' | 'result'>;
  private readonly attemptsTotal: Counter<'outcome' | 'retry'>;
  private readonly pendingGauge: Gauge<'state'>;
  private readonly attemptSeconds: Histogram<'outcome'>;

  constructor(registry: Registry) {
    this.submittedTotal = new Counter({
      name: 'shopify_sim_webhook_deliveries_submitted_total',
      help: 'Webhook deliveries handed to the delivery engine (duplicates included)',
      labelNames: ['topic', 'duplicate'],
      registers: [registry],
    });
    this.settledTotal = new Counter({
      name: 'shopify_sim_webhook_deliveries_total',
      help: 'Settled webhook deliveries: delivered, failed (gave up after the last retry) or cancelled',
      labelNames: ['topic', 'result'],
      registers: [registry],
    });
    this.attemptsTotal = new Counter({
      name: 'shopify_sim_webhook_attempts_total',
      help: 'HTTP attempts by outcome (ok or failure reason); retry="true" for retries',
      labelNames: ['outcome', 'retry'],
      registers: [registry],
    });
    this.pendingGauge = new Gauge({
      name: 'shopify_sim_webhook_deliveries_pending',
      help: 'Unsettled deliveries by state (delayed, queued, in_flight, waiting_retry)',
      labelNames: ['state'],
      registers: [registry],
    });
    this.attemptSeconds = new Histogram({
      name: 'shopify_sim_webhook_attempt_duration_seconds',
      help: 'Time from sending a delivery to its answer (or failure)',
      labelNames: ['outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    for (const state of ['delayed', 'queued', 'in_flight', 'waiting_retry'] as const)
      this.pendingGauge.set({ state }, 0);
  }

  submitted(delivery: WebhookDelivery): void {
    this.submittedTotal.inc({ topic: delivery.topic, duplicate: String(delivery.duplicate) });
  }

  stateChanged(from: DeliveryState | null, to: DeliveryState | null): void {
    if (from) this.pendingGauge.dec({ state: from });
    if (to) this.pendingGauge.inc({ state: to });
  }

  attempted(
    _delivery: WebhookDelivery,
    attempt: number,
    outcome: AttemptOutcome,
    latencyMs: number,
  ): void {
    const label = outcome.ok ? 'ok' : outcome.reason;
    this.attemptsTotal.inc({ outcome: label, retry: String(attempt > 1) });
    this.attemptSeconds.observe({ outcome: label }, latencyMs / 1000);
  }

  settled(delivery: WebhookDelivery, result: DeliveryResult): void {
    this.settledTotal.inc({ topic: delivery.topic, result });
  }
}
