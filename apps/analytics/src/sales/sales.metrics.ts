import { Inject, Injectable } from '@nestjs/common';
import type { DecodeReason } from '@shopwire/contracts';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, type Registry } from '@shopwire/observability';

/** Why a message was refused: the contracts' decoders' reasons. */
export type RejectReason = DecodeReason;

/**
 * The analytics service's own series. The consumer's (processed, handler duration, retries, lag,
 * ignored and rejected by reason) are the transport's `shopwire_consumer_*{group="analytics"}`.
 */
@Injectable()
export class SalesMetrics {
  readonly events: Counter<'kind' | 'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.events = new Counter({
      name: 'shopwire_analytics_events_total',
      help: 'Events handled, by kind (order, compliance) and outcome (applied, unchanged, stale, duplicate, rejected)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
  }
}
