import type { DecodeReason } from '@shopwire/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, type Registry } from '@shopwire/observability';

/** Why a message was refused: the contracts' decoders' reasons, or a row the database refused. */
export type RejectReason = DecodeReason | 'database';

/**
 * The order service's own series. The consumer's (processed, handler duration, retries, lag,
 * ignored and rejected by reason) are the transport's `shopwire_consumer_*{group="order"}`.
 */
@Injectable()
export class OrdersMetrics {
  readonly applied: Counter<'result'>;
  readonly stale: Counter;
  readonly duplicates: Counter;
  readonly eventsEnqueued: Counter<'topic'>;
  readonly redactedCustomer: Counter;
  readonly databaseRejected: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.applied = new Counter({
      name: 'shopwire_order_updates_applied_total',
      help: 'Order webhooks applied to the stored order (inserted or updated)',
      labelNames: ['result'],
      registers,
    });
    this.redactedCustomer = new Counter({
      name: 'shopwire_order_redacted_customer_messages_total',
      help: 'Order messages for a redacted customer, stored without personal data (a retried chunk counts again)',
      registers,
    });
    this.databaseRejected = new Counter({
      name: 'shopwire_order_database_rejected_total',
      help: 'Orders the database refused (a data error in their savepoint), skipped and logged',
      registers,
    });
    this.stale = new Counter({
      name: 'shopwire_order_stale_updates_total',
      help: 'Order webhooks skipped because the stored order is newer',
      registers,
    });
    this.duplicates = new Counter({
      name: 'shopwire_order_duplicate_events_total',
      help: 'Order webhooks skipped because their webhook id was already processed',
      registers,
    });
    this.eventsEnqueued = new Counter({
      name: 'shopwire_order_domain_events_total',
      help: 'Order domain events committed to the outbox, by topic (published by the relay)',
      labelNames: ['topic'],
      registers,
    });
  }
}
