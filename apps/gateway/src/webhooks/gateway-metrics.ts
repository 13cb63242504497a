import { Counter, Histogram, type Registry } from '@shopwire/observability';
import { REJECTION_REASONS } from './webhook-rejection';

/** The gateway's Prometheus series. Labels stay low-cardinality: no shop, no webhook id. */
export class GatewayMetrics {
  readonly accepted: Counter<'kafka_topic'>;
  readonly duplicates: Counter;
  readonly rejected: Counter<'reason'>;
  readonly dropped: Counter<'reason'>;
  readonly ackLatency: Histogram;
  readonly batchSize: Histogram;
  readonly batchLatency: Histogram<'outcome'>;

  constructor(registry: Registry) {
    this.accepted = new Counter({
      name: 'shopwire_webhooks_accepted_total',
      help: 'Webhooks written to Kafka and answered 200',
      labelNames: ['kafka_topic'],
      registers: [registry],
    });
    this.duplicates = new Counter({
      name: 'shopwire_webhooks_duplicate_total',
      help: 'Repeated deliveries answered 200 without a second write',
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'shopwire_webhooks_rejected_total',
      help: 'Webhooks refused, by reason (bad_hmac, bad_headers, bad_json, shop_mismatch, payload_shape, too_large, kafka_unavailable, shutting_down)',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'shopwire_webhooks_dropped_total',
      help: 'Webhooks answered 200 but not written, by reason (shop_uninstalled: the app is not installed on the shop; not_consumed: no service reads the topic family)',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.dropped.inc({ reason: 'shop_uninstalled' }, 0);
    this.dropped.inc({ reason: 'not_consumed' }, 0);
    this.ackLatency = new Histogram({
      name: 'shopwire_webhook_ack_seconds',
      help: 'From request received to 200 sent (includes the Kafka acknowledgement)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    });
    this.batchSize = new Histogram({
      name: 'shopwire_kafka_batch_messages',
      help: 'Messages per produce request',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    });
    this.batchLatency = new Histogram({
      name: 'shopwire_kafka_batch_seconds',
      help: 'Produce request round trip (acks=all)',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [registry],
    });
    // Make every reason visible at 0 from the first scrape, so alerts and dashboards see it.
    for (const reason of REJECTION_REASONS) {
      this.rejected.inc({ reason }, 0);
    }
  }
}
