import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * The consumer series every Shopwire consumer shares (`shopwire_consumer_*{group,topic,…}`),
 * kept by the chunk transport so a service declares none of its own. Together with the failure
 * path's series (`ConsumerFailureMetrics`: retries in place, retry topic, dead letters, lag) they
 * are the whole consumer picture; a dashboard filters by `group` instead of matching metric names.
 * Series are looked up on the registry first: two transports (or a test) can share one registry.
 */
export class ConsumerMetrics {
  readonly processed: Counter<'group' | 'topic'>;
  readonly handlerSeconds: Histogram<'group' | 'topic' | 'ok'>;
  readonly ignored: Counter<'group' | 'topic' | 'reason'>;
  readonly rejected: Counter<'group' | 'topic' | 'reason'>;

  constructor(registry: Registry) {
    this.processed = counter(registry, {
      name: 'shopwire_consumer_messages_processed_total',
      help: 'Messages whose offset was committed after their transaction',
      labelNames: ['group', 'topic'],
    });
    this.handlerSeconds =
      (registry.getSingleMetric('shopwire_consumer_handler_duration_seconds') as
        Histogram<'group' | 'topic' | 'ok'> | undefined) ??
      new Histogram({
        name: 'shopwire_consumer_handler_duration_seconds',
        help: 'Time of one handler attempt on one chunk (one transaction), by outcome',
        labelNames: ['group', 'topic', 'ok'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      });
    this.ignored = counter(registry, {
      name: 'shopwire_consumer_messages_ignored_total',
      help: 'Messages the consumer has no business with (another webhook family), by reason',
      labelNames: ['group', 'topic', 'reason'],
    });
    this.rejected = counter(registry, {
      name: 'shopwire_consumer_messages_rejected_total',
      help: 'Messages that are not readable for their topic, dead-lettered, by reason',
      labelNames: ['group', 'topic', 'reason'],
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
