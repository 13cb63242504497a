import {
  messageKey,
  ORDER_EVENT_TYPE,
  type DomainEvent,
  type OrderData,
  type OrderEventTopic,
} from '@shopwire/contracts';
import type { Registry } from '@shopwire/observability';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { produceWebhooks } from './service-harness';

/**
 * Messages as Shopwire's producers write them, for suites that play a producer: the contracts'
 * types, so the consumers' decoders (`@shopwire/contracts`) read them as they read the real ones.
 */

let nextOrderId = BigInt(Date.now()) * 1000n;

/** An order as the order service announces it: unique id, one line, personal data filled in. */
export function testOrder(overrides: Partial<OrderData> = {}): OrderData {
  const id = (nextOrderId++).toString();
  return {
    id,
    name: `#${id.slice(-4)}`,
    orderNumber: id.slice(-4),
    email: `buyer-${id}@example.com`,
    customer: {
      id: (BigInt(id) + 7n).toString(),
      email: `buyer-${id}@example.com`,
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: null,
    },
    currency: 'EUR',
    financialStatus: 'paid',
    fulfillmentStatus: null,
    totalPrice: '42.00',
    subtotalPrice: '40.00',
    totalTax: '2.00',
    totalDiscounts: '0.00',
    createdAt: '2026-11-01T10:00:00Z',
    updatedAt: '2026-11-01T10:00:00Z',
    cancelledAt: null,
    cancelReason: null,
    test: false,
    lineItems: [
      {
        id: '1',
        productId: '2',
        variantId: '3',
        sku: 'SKU-1',
        title: 'Mug',
        quantity: 2,
        price: '20.00',
      },
    ],
    ...overrides,
  };
}

/** A domain event ready to produce: its topic, key parts and JSON value. */
export interface ProducedEvent {
  topic: string;
  eventId: string;
  shopDomain: string;
  aggregateId: string;
  value: string;
}

/** A domain event of `topic` as an outbox writes it (schema version 1, no cause). */
export function domainEvent<TType extends string, TData>(
  topic: string,
  event: Pick<DomainEvent<TType, TData>, 'type' | 'shopDomain' | 'aggregateId' | 'data'> &
    Partial<Pick<DomainEvent<TType, TData>, 'eventId' | 'aggregateVersion' | 'causationId'>>,
): ProducedEvent {
  const now = new Date().toISOString();
  const full: DomainEvent<TType, TData> = {
    eventId: event.eventId ?? randomUUID(),
    type: event.type,
    schemaVersion: 1,
    occurredAt: now,
    shopDomain: event.shopDomain,
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion ?? now,
    causationId: event.causationId ?? null,
    data: event.data,
  };
  return {
    topic,
    eventId: full.eventId,
    shopDomain: full.shopDomain,
    aggregateId: full.aggregateId,
    value: JSON.stringify(full),
  };
}

/** `orders.order.<kind>.v1` for `order`, versioned by its `updatedAt` as the order service does. */
export function orderEvent(
  topic: OrderEventTopic,
  shopDomain: string,
  order: OrderData,
  eventId?: string,
): ProducedEvent {
  return domainEvent(topic, {
    type: ORDER_EVENT_TYPE[topic],
    shopDomain,
    aggregateId: order.id,
    aggregateVersion: order.updatedAt,
    eventId,
    data: { order },
  });
}

/** Produces events one by one (so their order holds across topics), keyed `<shop>/<aggregate>`. */
export async function produceEvents(producer: Producer, events: ProducedEvent[]): Promise<void> {
  for (const e of events) {
    await producer.send({
      topic: e.topic,
      acks: -1,
      messages: [{ key: messageKey(e.shopDomain, e.aggregateId), value: e.value }],
    });
  }
}

/** One webhook as the gateway writes it (raw body, envelope headers), keyed by the shop. */
export async function produceWebhook(
  producer: Producer,
  topic: string,
  shop: string,
  shopifyTopic: string,
  body: string,
  webhookId: string = randomUUID(),
): Promise<string> {
  const [id] = await produceWebhooks(producer, topic, [
    { shop, shopifyTopic, body, resourceId: null, webhookId },
  ]);
  return id;
}

/** The sum of `name`'s series that carry every label in `labels` (others are not compared). */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}
