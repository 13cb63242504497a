import {
  DomainEventHeader,
  DomainTopic,
  type OrderAcceptedEvent,
  type OrderCancelledEvent,
  type OrderData,
  type OrderLineItemData,
  type OrderUpdatedEvent,
} from '@shopwire/contracts';
import type { OutboxMessage } from '@shopwire/database';
import { randomUUID } from 'node:crypto';
import type { LineItemState, OrderState } from './order-payload';
import type { UpsertResult } from './orders.repository';

export type OrderEventTopic =
  | typeof DomainTopic.OrderAccepted
  | typeof DomainTopic.OrderUpdated
  | typeof DomainTopic.OrderCancelled;

type OrderDomainEvent = OrderAcceptedEvent | OrderUpdatedEvent | OrderCancelledEvent;

const TYPE_OF: Record<OrderEventTopic, OrderDomainEvent['type']> = {
  [DomainTopic.OrderAccepted]: 'orders.order.accepted',
  [DomainTopic.OrderUpdated]: 'orders.order.updated',
  [DomainTopic.OrderCancelled]: 'orders.order.cancelled',
};

/**
 * Which events an applied webhook announces:
 * - accepted: the first time the order is stored, whatever topic delivered it;
 * - cancelled: the first time it is stored cancelled — right after accepted when the first
 *   state Shopify delivered is already cancelled, so a consumer that reserves on accepted and
 *   releases on cancelled sees both;
 * - updated: any other change that moved the order to a newer `updated_at`.
 * Re-applying the same `updated_at` (orders/paid and orders/updated for one change) is the same
 * state again: nothing. Stale and duplicate webhooks never get here.
 */
export function orderEventTopics(result: UpsertResult): OrderEventTopic[] {
  if (result.outcome === 'stale') return [];
  if (result.outcome === 'inserted') {
    return result.newlyCancelled
      ? [DomainTopic.OrderAccepted, DomainTopic.OrderCancelled]
      : [DomainTopic.OrderAccepted];
  }
  if (result.newlyCancelled) return [DomainTopic.OrderCancelled];
  return result.advanced ? [DomainTopic.OrderUpdated] : [];
}

/** Shopify timestamps carry their shop's offset; versions compare as text only in UTC. */
export function normaliseVersion(timestamp: string): string {
  return new Date(timestamp).toISOString();
}

const utc = (timestamp: string | null) => (timestamp === null ? null : normaliseVersion(timestamp));

export function orderData(order: OrderState, lineItems: LineItemState[]): OrderData {
  return {
    id: order.id,
    name: order.name,
    orderNumber: order.orderNumber,
    email: order.email,
    customer: order.customer
      ? {
          id: order.customer.id,
          email: order.customer.email,
          firstName: order.customer.firstName,
          lastName: order.customer.lastName,
          phone: order.customer.phone,
        }
      : null,
    currency: order.currency,
    financialStatus: order.financialStatus,
    fulfillmentStatus: order.fulfillmentStatus,
    totalPrice: order.totalPrice,
    subtotalPrice: order.subtotalPrice,
    totalTax: order.totalTax,
    totalDiscounts: order.totalDiscounts,
    createdAt: utc(order.createdAt),
    updatedAt: normaliseVersion(order.updatedAt),
    cancelledAt: utc(order.cancelledAt),
    cancelReason: order.cancelReason,
    test: order.test,
    lineItems: lineItems.map((line): OrderLineItemData => ({
      id: line.id,
      productId: line.productId,
      variantId: line.variantId,
      sku: line.sku,
      title: line.title,
      quantity: line.quantity,
      price: line.price,
    })),
  };
}

/** Header names on domain event messages (defined with the journal that reads them). */
export { DomainEventHeader };

/**
 * The outbox message of one event. The event id is minted here and stored in the row's value,
 * so every (re)publication of the row carries the same id.
 */
export function orderEventMessage(
  topic: OrderEventTopic,
  shopDomain: string,
  order: OrderData,
  causationId: string,
  occurredAt: Date = new Date(),
): OutboxMessage {
  const event: OrderDomainEvent = {
    eventId: randomUUID(),
    type: TYPE_OF[topic],
    schemaVersion: 1,
    occurredAt: occurredAt.toISOString(),
    shopDomain,
    aggregateId: order.id,
    aggregateVersion: order.updatedAt,
    causationId,
    data: { order },
  } as OrderDomainEvent;
  return {
    topic,
    key: `${shopDomain}/${order.id}`,
    value: JSON.stringify(event),
    headers: {
      [DomainEventHeader.EventId]: event.eventId,
      [DomainEventHeader.EventType]: event.type,
      [DomainEventHeader.CausationId]: causationId,
      [DomainEventHeader.ContentType]: 'application/json',
    },
  };
}
