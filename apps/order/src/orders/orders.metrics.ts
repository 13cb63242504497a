import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { ConsumerRunnerHooks } from '@shopwire/kafka';
import { Counter, Histogram, type Registry } from '@shopwire/observability';

export type RejectReason = 'envelope' | 'json' | 'shop_domain' | 'payload' | 'database';

/** Prometheus series of the order consumer. */
@Injectable()
export class OrdersMetrics {
  readonly applied: Counter<'result'>;
  readonly stale: Counter;
  readonly duplicates: Counter;
  readonly rejected: Counter<'reason'>;
  readonly ignored: Counter<'family'>;
  readonly processed: Counter<'topic'>;
  readonly handlerSeconds: Histogram<'topic' | 'ok'>;
  readonly retries: Counter<'topic'>;
  readonly eventsEnqueued: Counter<'topic'>;
  readonly redactedCustomer: Counter;

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
    this.rejected = new Counter({
      name: 'shopwire_order_rejected_events_total',
      help: 'Messages on the orders topic that are not a valid order, skipped',
      labelNames: ['reason'],
      registers,
    });
    this.ignored = new Counter({
      name: 'shopwire_order_ignored_events_total',
      help: 'Webhooks on the orders topic that carry no order (refunds, fulfillments, edits…)',
      labelNames: ['family'],
      registers,
    });
    this.processed = new Counter({
      name: 'shopwire_order_consumer_messages_processed_total',
      help: 'Messages whose offset was committed after their transaction',
      labelNames: ['topic'],
      registers,
    });
    this.handlerSeconds = new Histogram({
      name: 'shopwire_order_consumer_handler_duration_seconds',
      help: 'Time to apply one chunk of messages in one transaction',
      labelNames: ['topic', 'ok'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.retries = new Counter({
      name: 'shopwire_order_consumer_retries_total',
      help: 'Chunks retried in place after the handler failed',
      labelNames: ['topic'],
      registers,
    });
    this.eventsEnqueued = new Counter({
      name: 'shopwire_order_domain_events_total',
      help: 'Order domain events committed to the outbox, by topic (published by the relay)',
      labelNames: ['topic'],
      registers,
    });
  }

  get runnerHooks(): ConsumerRunnerHooks {
    return {
      processed: (count, { topic }) => this.processed.inc({ topic }, count),
      handlerDuration: (seconds, ok, { topic }) =>
        this.handlerSeconds.observe({ topic, ok: String(ok) }, seconds),
      retry: (_attempt, _delayMs, { topic }) => this.retries.inc({ topic }),
    };
  }
}
