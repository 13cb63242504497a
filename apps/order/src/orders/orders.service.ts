import { Inject, Injectable } from '@nestjs/common';
import {
  applyChunkTogether,
  enqueueOutbox,
  isDataError,
  journalStaleOutcomes,
  type ChunkMode,
  type OutboxMessage,
} from '@shopwire/database';
import { context, SpanKind, tracer, type Context, type Logger } from '@shopwire/observability';
import { orderIdentities } from '@shopwire/privacy';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import { OrderTombstones } from '../privacy/order-tombstones';
import { decodeCursor, encodeCursor } from './order-cursor';
import { foldChunk, orderKey, type ChunkEvent } from './order-chunk';
import { OrderChunkRepository } from './order-chunk.repository';
import {
  orderData,
  orderEventMessage,
  orderEventTopics,
  type OrderEventTopic,
} from './order-events';
import type { OrderLineItemEntity } from './order-line-item.entity';
import { withoutCustomerData, type OrderState } from './order-payload';
import type { OrderEntity } from './order.entity';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository, type OrderFilters, type WebhookMeta } from './orders.repository';

/** The inbox's consumer name: one row per webhook id this service applied. */
export const ORDERS_INBOX_CONSUMER = 'order.shopify-orders';

/** A valid order webhook, ready to apply. */
export interface OrderEvent {
  meta: WebhookMeta;
  order: OrderState;
  /** Where it sits on Kafka, for logs. */
  offset: string;
  trace: Context;
}

export type ApplyOutcome = 'inserted' | 'updated' | 'stale' | 'duplicate' | 'rejected';

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

export interface OrderPage {
  orders: OrderEntity[];
  nextCursor: string | null;
}

interface ChunkResult {
  outcomes: ApplyOutcome[];
  emitted: string[];
}

const spans = tracer('order');

@Injectable()
export class OrdersService {
  constructor(
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly repository: OrdersRepository,
    private readonly chunkRepository: OrderChunkRepository,
    private readonly metrics: OrdersMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly tombstones: OrderTombstones,
  ) {}

  /**
   * Applies order events in one transaction, in order. Each event claims its webhook id in the
   * inbox first, so a redelivery is a no-op. The chunk is applied set-based — one statement per
   * table for all its events (`applyTogether`) — and, only if Postgres refuses some event's data,
   * redone one event at a time with a savepoint each, rejecting just that event (see
   * `applyChunkTogether`). Metrics are counted after the commit: a chunk that fails and is
   * retried must not count twice.
   */
  async applyEvents(events: OrderEvent[]): Promise<ApplyOutcome[]> {
    const webhookIds = events.map((e) => e.meta.webhookId);
    const claims = webhookIds.map((eventId) => ({ consumer: ORDERS_INBOX_CONSUMER, eventId }));
    const { outcomes, emitted } = await applyChunkTogether<ChunkResult>(this.dataSource, claims, {
      together: async (manager, claimed) => {
        const result = await this.applyTogether(manager, claimed, events);
        await journalStaleOutcomes(manager, webhookIds, result.outcomes);
        return result;
      },
      oneByOne: async (manager, mode) => {
        const results: ApplyOutcome[] = [];
        const topics: string[] = [];
        for (const event of events)
          results.push(await this.applyTraced(manager, mode, event, topics));
        await journalStaleOutcomes(manager, webhookIds, results);
        return { outcomes: results, emitted: topics };
      },
    });
    outcomes.forEach((outcome, index) => this.count(outcome, events[index]));
    for (const topic of emitted) this.metrics.eventsEnqueued.inc({ topic });
    return outcomes;
  }

  /**
   * The whole chunk in a fixed number of statements: tombstones, a plan of what each event
   * would do one at a time (Postgres compares the versions and locks the stored rows), one
   * upsert row per order with its newest state, its lines, and every domain event in the outbox.
   */
  private async applyTogether(
    manager: EntityManager,
    claimed: (consumer: string, eventId: string) => boolean,
    events: OrderEvent[],
  ): Promise<ChunkResult> {
    const outcomes: ApplyOutcome[] = events.map(() => 'duplicate');
    const fresh = events.flatMap((event, index) =>
      claimed(ORDERS_INBOX_CONSUMER, event.meta.webhookId) ? [index] : [],
    );
    if (fresh.length === 0) return { outcomes, emitted: [] };
    // A customer redacted before this message was applied (it is a retry, a replay from the DLQ,
    // a backfill): the order is a fact the shop keeps, the person is not.
    const redacted = await this.tombstones.redactedAmong(
      manager,
      fresh.map((index) => ({
        shopDomain: events[index].meta.shopDomain,
        identities: orderIdentities(events[index].order),
      })),
    );
    const applied: ChunkEvent[] = fresh.map((index, k) => {
      const { meta, order } = events[index];
      if (!redacted[k]) return { meta, order };
      this.metrics.redactedCustomer.inc();
      return { meta, order: withoutCustomerData(order) };
    });
    const verdicts = await this.chunkRepository.plan(manager, applied);
    const fold = foldChunk(applied, verdicts);
    const topicsOf = verdicts.map((verdict) => orderEventTopics(verdict));
    // Events that announce lines no event of the chunk carried: read before they are replaced.
    const needStored = new Map<string, { shopDomain: string; orderId: string }>();
    applied.forEach(({ meta, order }, k) => {
      if (topicsOf[k].length > 0 && fold.lines[k] === null)
        needStored.set(orderKey(meta.shopDomain, order.id), {
          shopDomain: meta.shopDomain,
          orderId: order.id,
        });
    });
    const stored = await this.chunkRepository.storedLineItems(manager, [...needStored.values()]);
    await this.chunkRepository.write(manager, fold.writes);
    await this.chunkRepository.countStale(manager, fold.staleOnly);
    await this.chunkRepository.replaceLineItems(
      manager,
      fold.writes.flatMap((w) =>
        w.lineItems
          ? [{ shopDomain: w.meta.shopDomain, orderId: w.order.id, lines: w.lineItems }]
          : [],
      ),
    );
    const messages: OutboxMessage[] = [];
    const emitted: OrderEventTopic[] = [];
    applied.forEach(({ meta, order }, k) => {
      const index = fresh[k];
      outcomes[index] = verdicts[k].outcome;
      const topics = topicsOf[k];
      // The event's span parents its domain events, as on the one-at-a-time path.
      spans.startActiveSpan(
        'order.apply',
        { kind: SpanKind.CONSUMER, attributes: { 'shopify.topic': meta.shopifyTopic } },
        events[index].trace,
        (span) => {
          span.setAttribute('order.outcome', outcomes[index]);
          if (topics.length > 0) {
            const lines = fold.lines[k] ?? stored.get(orderKey(meta.shopDomain, order.id)) ?? [];
            const data = orderData(order, lines);
            const trace = context.active();
            for (const topic of topics) {
              messages.push({
                ...orderEventMessage(topic, meta.shopDomain, data, meta.webhookId),
                trace,
              });
            }
            emitted.push(...topics);
          }
          span.end();
        },
      );
    });
    await enqueueOutbox(manager, messages);
    return { outcomes, emitted };
  }

  private applyTraced(
    manager: EntityManager,
    mode: ChunkMode,
    event: OrderEvent,
    emitted: string[],
  ): Promise<ApplyOutcome> {
    return spans.startActiveSpan(
      'order.apply',
      { kind: SpanKind.CONSUMER, attributes: { 'shopify.topic': event.meta.shopifyTopic } },
      event.trace,
      async (span) => {
        try {
          const outcome = await this.apply(manager, mode, event, emitted);
          span.setAttribute('order.outcome', outcome);
          return outcome;
        } finally {
          span.end();
        }
      },
    );
  }

  private async apply(
    manager: EntityManager,
    mode: ChunkMode,
    event: OrderEvent,
    emitted: string[],
  ): Promise<ApplyOutcome> {
    const { meta } = event;
    let { order } = event;
    try {
      // Isolated per event: if Postgres refuses this one's data, only it is undone (and
      // rejected); the rest of the chunk still commits.
      return await mode.isolate('order_event', async () => {
        if (!(await mode.claim(ORDERS_INBOX_CONSUMER, meta.webhookId))) return 'duplicate';
        // A customer redacted before this message was applied (it is a retry, a replay from the
        // DLQ, a backfill): the order is a fact the shop keeps, the person is not.
        if (await this.tombstones.isRedacted(manager, meta.shopDomain, orderIdentities(order))) {
          order = withoutCustomerData(order);
          this.metrics.redactedCustomer.inc();
        }
        const result = await this.repository.upsertUnlessStale(manager, order, meta);
        if (result.outcome === 'stale') {
          await this.repository.countStaleUpdate(manager, meta.shopDomain, order.id);
          return 'stale';
        }
        if (order.lineItems) {
          await this.repository.replaceLineItems(
            manager,
            meta.shopDomain,
            order.id,
            order.lineItems,
          );
        }
        // The order's events join the same transaction: they are published if and only if
        // this change commits.
        const topics = orderEventTopics(result);
        if (topics.length > 0) {
          const lines =
            order.lineItems ??
            (await this.repository.storedLineItems(manager, meta.shopDomain, order.id));
          const data = orderData(order, lines);
          await enqueueOutbox(
            manager,
            topics.map((topic) => orderEventMessage(topic, meta.shopDomain, data, meta.webhookId)),
          );
          emitted.push(...topics);
        }
        return result.outcome;
      });
    } catch (error) {
      if (!isDataError(error)) throw error; // an outage: the whole chunk is retried
      this.logger.warn(
        {
          webhookId: meta.webhookId,
          shopDomain: meta.shopDomain,
          orderId: order.id,
          offset: event.offset,
          code: (error as { code?: string }).code,
        },
        'order rejected by the database; skipped',
      );
      return 'rejected';
    }
  }

  private count(outcome: ApplyOutcome, event: OrderEvent): void {
    switch (outcome) {
      case 'inserted':
      case 'updated':
        this.metrics.applied.inc({ result: outcome });
        break;
      case 'stale':
        this.metrics.stale.inc();
        this.logger.debug(
          {
            webhookId: event.meta.webhookId,
            shopDomain: event.meta.shopDomain,
            orderId: event.order.id,
          },
          'stale order update skipped',
        );
        break;
      case 'duplicate':
        this.metrics.duplicates.inc();
        break;
      case 'rejected':
        this.metrics.databaseRejected.inc();
        break;
    }
  }

  async getOrder(
    shopDomain: string,
    id: string,
  ): Promise<{ order: OrderEntity; lineItems: OrderLineItemEntity[] } | null> {
    const order = await this.repository.findOrder(shopDomain, id);
    if (!order) return null;
    return { order, lineItems: await this.repository.findLineItems(shopDomain, id) };
  }

  async listOrders(
    shopDomain: string,
    limit: number,
    cursor: string | null,
    filters: OrderFilters = {},
  ): Promise<OrderPage> {
    const afterId = cursor === null ? null : decodeCursor(cursor);
    if (cursor !== null && afterId === null) throw new InvalidCursorError('cursor is not valid');
    // One extra row tells whether another page follows without a count query.
    const rows = await this.repository.listOrders(shopDomain, afterId, limit + 1, filters);
    const orders = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? encodeCursor(orders[orders.length - 1].id) : null;
    return { orders, nextCursor };
  }

  ping(): Promise<void> {
    return this.repository.ping();
  }
}
