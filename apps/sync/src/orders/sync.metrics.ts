import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, type Registry } from '@shopwire/observability';

/**
 * Prometheus series of the sync service. The consumer's (processed, handler duration, retries,
 * lag, ignored and rejected by reason) are the transport's `shopwire_consumer_*{group="sync"}`;
 * the ERP worker's (`shopwire_outbound_*{queue="erp_order"|"erp_redact"}`) and the breaker gauge
 * come from libs/outbound-delivery and libs/resilience.
 */
@Injectable()
export class SyncMetrics {
  readonly recorded: Counter<'status'>;
  readonly duplicates: Counter<'topic'>;
  readonly products: Counter<'result'>;
  readonly privacy: Counter<'action'>;
  readonly databaseRejected: Counter<'topic'>;

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
    this.databaseRejected = new Counter({
      name: 'shopwire_sync_database_rejected_total',
      help: 'Events the database refused (a data error in their savepoint), skipped and logged',
      labelNames: ['topic'],
      registers,
    });
  }
}
