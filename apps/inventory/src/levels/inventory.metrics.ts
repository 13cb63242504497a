import { Inject, Injectable } from '@nestjs/common';
import type { DecodeReason } from '@shopwire/contracts';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, type Registry } from '@shopwire/observability';

/** Why a message was refused: the contracts' decoders' reasons. */
export type RejectReason = DecodeReason;

/**
 * The inventory service's own series. The consumer's (processed, handler duration, retries, lag,
 * ignored and rejected by reason) are the transport's `shopwire_consumer_*{group="inventory"}`.
 */
@Injectable()
export class InventoryMetrics {
  readonly events: Counter<'kind' | 'outcome'>;
  readonly lowStock: Counter;

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
  }
}
