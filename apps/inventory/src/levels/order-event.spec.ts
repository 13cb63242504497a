import {
  decodeOrderEvent,
  DomainTopic,
  ORDER_EVENT_TYPE,
  type OrderEventTopic,
} from '@shopwire/contracts';
import { orderCommitment } from './order-event';

describe('orderCommitment', () => {
  const commitment = (topic: OrderEventTopic, order: Record<string, unknown>) => {
    const decoded = decodeOrderEvent(
      topic,
      JSON.stringify({
        eventId: 'e-1',
        type: ORDER_EVENT_TYPE[topic],
        schemaVersion: 1,
        occurredAt: '2026-11-27T10:00:01Z',
        shopDomain: 'acme.myshopify.com',
        aggregateId: order.id,
        aggregateVersion: '2026-11-27T05:00:00-05:00',
        causationId: null,
        data: { order: { updatedAt: '2026-11-27T10:00:00Z', ...order } },
      }),
    );
    if (!decoded.ok) throw new Error(decoded.detail);
    return orderCommitment(decoded.value);
  };

  it('normalises the version to UTC and keeps string ids', () => {
    const event = commitment(DomainTopic.OrderCancelled, {
      id: '820982911946154508',
      lineItems: [{ id: '1', variantId: '9007199254740993', sku: '', quantity: 2 }],
    });
    expect(event).toEqual({
      kind: 'cancelled',
      eventId: 'e-1',
      shopDomain: 'acme.myshopify.com',
      orderId: '820982911946154508',
      version: '2026-11-27T10:00:00.000Z',
      lines: [{ variantId: '9007199254740993', sku: null, quantity: 2 }],
    });
  });

  it('reads an accepted event of an already cancelled order as a cancellation', () => {
    const order = {
      id: '5',
      cancelledAt: '2026-11-27T10:00:00Z',
      lineItems: [{ id: '1', sku: 'A', quantity: 1 }],
    };
    expect(commitment(DomainTopic.OrderAccepted, order)?.kind).toBe('cancelled');
    expect(commitment(DomainTopic.OrderAccepted, { ...order, cancelledAt: null })?.kind).toBe(
      'accepted',
    );
  });

  it('is no commitment for an update', () => {
    expect(commitment(DomainTopic.OrderUpdated, { id: '5', lineItems: [] })).toBeNull();
  });
});
