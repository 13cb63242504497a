import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Prometheus series of an outbox relay, labelled by schema. Series are looked up before they are
 * created, so two relays (or a restarted one) can share one registry.
 */
export class OutboxMetrics {
  readonly published: Counter<'schema'>;
  readonly failures: Counter<'schema' | 'stage'>;
  readonly pending: Gauge<'schema'>;
  readonly oldestPendingSeconds: Gauge<'schema'>;
  readonly publishSeconds: Histogram<'schema'>;
  readonly deliveryLagSeconds: Histogram<'schema'>;
  readonly cleaned: Counter<'schema'>;
  readonly leader: Gauge<'schema'>;

  constructor(registry: Registry | undefined) {
    const registers = registry ? [registry] : [];
    const reuse = <T>(name: string, create: () => T): T =>
      (registry?.getSingleMetric(name) as T | undefined) ?? create();
    this.published = reuse(
      'shopwire_outbox_published_total',
      () =>
        new Counter({
          name: 'shopwire_outbox_published_total',
          help: 'Outbox rows published to Kafka and marked sent',
          labelNames: ['schema'],
          registers,
        }),
    );
    this.failures = reuse(
      'shopwire_outbox_failures_total',
      () =>
        new Counter({
          name: 'shopwire_outbox_failures_total',
          help: 'Relay cycles that failed (stage: publish = Kafka, database = Postgres)',
          labelNames: ['schema', 'stage'],
          registers,
        }),
    );
    this.pending = reuse(
      'shopwire_outbox_pending',
      () =>
        new Gauge({
          name: 'shopwire_outbox_pending',
          help: 'Outbox rows not yet published (as last measured by the leader)',
          labelNames: ['schema'],
          registers,
        }),
    );
    this.oldestPendingSeconds = reuse(
      'shopwire_outbox_oldest_pending_seconds',
      () =>
        new Gauge({
          name: 'shopwire_outbox_oldest_pending_seconds',
          help: 'Age of the oldest unpublished outbox row (0 when none)',
          labelNames: ['schema'],
          registers,
        }),
    );
    this.publishSeconds = reuse(
      'shopwire_outbox_publish_duration_seconds',
      () =>
        new Histogram({
          name: 'shopwire_outbox_publish_duration_seconds',
          help: 'Time for one batch to be acknowledged by Kafka',
          labelNames: ['schema'],
          buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers,
        }),
    );
    this.deliveryLagSeconds = reuse(
      'shopwire_outbox_delivery_lag_seconds',
      () =>
        new Histogram({
          name: 'shopwire_outbox_delivery_lag_seconds',
          help: 'From an outbox row being written to Kafka acknowledging it',
          labelNames: ['schema'],
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
          registers,
        }),
    );
    this.cleaned = reuse(
      'shopwire_outbox_cleaned_total',
      () =>
        new Counter({
          name: 'shopwire_outbox_cleaned_total',
          help: 'Sent outbox rows deleted after the retention period',
          labelNames: ['schema'],
          registers,
        }),
    );
    this.leader = reuse(
      'shopwire_outbox_leader',
      () =>
        new Gauge({
          name: 'shopwire_outbox_leader',
          help: '1 while this process holds the relay lock of the schema',
          labelNames: ['schema'],
          registers,
        }),
    );
  }
}
