import { Inject, Injectable } from '@nestjs/common';
import type { DecodeReason } from '@shopwire/contracts';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { ConsumerRunnerHooks } from '@shopwire/kafka';
import { Counter, Histogram, type Registry } from '@shopwire/observability';

/** Why a message was refused: the contracts' decoders' reasons. */
export type RejectReason = DecodeReason;

/** Prometheus series of the inventory consumer. */
@Injectable()
export class InventoryMetrics {
  readonly events: Counter<'kind' | 'outcome'>;
  readonly lowStock: Counter;
  readonly rejected: Counter<'reason'>;
  readonly ignored: Counter<'topic'>;
  readonly processed: Counter<'topic'>;
  readonly handlerSeconds: Histogram<'topic' | 'ok'>;
  readonly retries: Counter<'topic'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'shopwire_inventory_events_total',
      help: 'Events handled, by kind (level, item, order, compliance) and outcome (applied, stale, duplicate…)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.lowStock = new Counter({
      name: 'shopwire_inventory_low_stock_events_total',
      help: 'inventory.level.low.v1 events written to the outbox',
      registers,
    });
    this.rejected = new Counter({
      name: 'shopwire_inventory_rejected_events_total',
      help: 'Messages that are not valid for their topic, skipped',
      labelNames: ['reason'],
      registers,
    });
    this.ignored = new Counter({
      name: 'shopwire_inventory_ignored_events_total',
      help: 'Messages on subscribed topics that carry nothing inventory uses',
      labelNames: ['topic'],
      registers,
    });
    this.processed = new Counter({
      name: 'shopwire_inventory_consumer_messages_processed_total',
      help: 'Messages whose offset was committed after their transaction',
      labelNames: ['topic'],
      registers,
    });
    this.handlerSeconds = new Histogram({
      name: 'shopwire_inventory_consumer_handler_duration_seconds',
      help: 'Time to apply one chunk of messages in one transaction',
      labelNames: ['topic', 'ok'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.retries = new Counter({
      name: 'shopwire_inventory_consumer_retries_total',
      help: 'Chunks retried in place after the handler failed',
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
