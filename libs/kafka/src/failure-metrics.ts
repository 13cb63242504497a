import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Prometheus series of the failure path, shared by every runner in the process: the series are
 * looked up on the registry first, so two runners (or a runner and a test) can use one registry.
 */
export class ConsumerFailureMetrics {
  readonly retriedInPlace: Counter<'group' | 'topic' | 'kind'>;
  readonly sentToRetry: Counter<'group' | 'topic'>;
  readonly deadLettered: Counter<'group' | 'topic'>;
  readonly redelivered: Counter<'group' | 'topic' | 'result'>;
  /** Messages between the group's committed position and the partition's end, per partition. */
  readonly lag: Gauge<'group' | 'topic' | 'partition'>;

  constructor(registry: Registry) {
    this.retriedInPlace = counter(registry, {
      name: 'shopwire_consumer_retries_in_place_total',
      help: 'Handler failures retried in place (kind: transient, or infrastructure — unbounded; unbounded: a consumer without dead letters)',
      labelNames: ['group', 'topic', 'kind'],
    });
    this.sentToRetry = counter(registry, {
      name: 'shopwire_consumer_sent_to_retry_topic_total',
      help: 'Messages parked on the group retry topic for a delayed re-run',
      labelNames: ['group', 'topic'],
    });
    this.deadLettered = counter(registry, {
      name: 'shopwire_consumer_dead_lettered_total',
      help: 'Messages sent to <topic>.dlq after their last attempt',
      labelNames: ['group', 'topic'],
    });
    this.redelivered = counter(registry, {
      name: 'shopwire_consumer_retry_topic_runs_total',
      help: 'Messages re-run from the retry topic, by outcome (ok, failed)',
      labelNames: ['group', 'topic', 'result'],
    });
    this.lag =
      (registry.getSingleMetric('shopwire_consumer_lag_messages') as
        Gauge<'group' | 'topic' | 'partition'> | undefined) ??
      new Gauge({
        name: 'shopwire_consumer_lag_messages',
        help: 'Consumer lag: high watermark minus the committed offset, as of the last commit',
        labelNames: ['group', 'topic', 'partition'],
        registers: [registry],
      });
  }
}

function counter<L extends string>(
  registry: Registry,
  config: { name: string; help: string; labelNames: L[] },
): Counter<L> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as Counter<L>;
  return new Counter({ ...config, registers: [registry] });
}
