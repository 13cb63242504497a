import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { ConsumerRunnerHooks } from '@shopwire/kafka';
import { Counter, Histogram, type Registry } from '@shopwire/observability';

/**
 * Prometheus series of the sync service. The ERP worker's (`shopwire_outbound_*{queue="erp_order"|"erp_redact"}`)
 * and the breaker gauge come from libs/outbound-delivery and libs/resilience.
 */
@Injectable()
export class SyncMetrics {
  readonly recorded: Counter<'status'>;
  readonly duplicates: Counter<'topic'>;
  readonly rejected: Counter<'topic' | 'reason'>;
  readonly products: Counter<'result'>;
  readonly privacy: Counter<'action'>;
  readonly processed: Counter<'topic'>;
  readonly handlerSeconds: Histogram<'topic' | 'ok'>;
  readonly retries: Counter<'topic'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.recorded = new Counter({
      name: 'shopwire_sync_orders_recorded_total',
      help: 'Accepted orders recorded for the ERP, by initial status',
      labelNames: ['status'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'shopwire_sync_duplicate_events_total',
      help: 'Events skipped because their id was already in the inbox',
      labelNames: ['topic'],
      registers,
    });
    this.rejected = new Counter({
      name: 'shopwire_sync_rejected_events_total',
      help: 'Messages that are not a valid event, skipped',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.products = new Counter({
      name: 'shopwire_sync_product_updates_total',
      help: 'Product webhooks applied to the catalog mirror (applied, stale, deleted)',
      labelNames: ['result'],
      registers,
    });
    this.privacy = new Counter({
      name: 'shopwire_sync_privacy_requests_total',
      help: 'Compliance webhooks applied (redact, data request, uninstall)',
      labelNames: ['action'],
      registers,
    });
    this.processed = new Counter({
      name: 'shopwire_sync_consumer_messages_processed_total',
      help: 'Messages whose offset was committed after their transaction',
      labelNames: ['topic'],
      registers,
    });
    this.handlerSeconds = new Histogram({
      name: 'shopwire_sync_consumer_handler_duration_seconds',
      help: 'Time to apply one chunk of messages in one transaction',
      labelNames: ['topic', 'ok'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.retries = new Counter({
      name: 'shopwire_sync_consumer_retries_total',
      help: 'Chunk attempts that failed and were retried in place',
      labelNames: ['topic'],
      registers,
    });
  }

  readonly runnerHooks: ConsumerRunnerHooks = {
    processed: (count, { topic }) => this.processed.inc({ topic }, count),
    handlerDuration: (seconds, ok, { topic }) =>
      this.handlerSeconds.observe({ topic, ok: String(ok) }, seconds),
    retry: (_attempt, _delay, { topic }) => this.retries.inc({ topic }),
  };
}
