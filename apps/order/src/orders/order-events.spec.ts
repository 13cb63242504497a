import { DomainTopic } from '@shopwire/contracts';
import { normaliseVersion, orderData, orderEventMessage, orderEventTopics } from './order-events';
import type { OrderState } from './order-payload';

describe('orderEventTopics', () => {
  it.each([
    [{ outcome: 'inserted', advanced: true, newlyCancelled: false }, [DomainTopic.OrderAccepted]],
    [
      { outcome: 'inserted', advanced: true, newlyCancelled: true },
      [DomainTopic.OrderAccepted, DomainTopic.OrderCancelled],
    ],
    [{ outcome: 'updated', advanced: true, newlyCancelled: false }, [DomainTopic.OrderUpdated]],
    [{ outcome: 'updated', advanced: true, newlyCancelled: true }, [DomainTopic.OrderCancelled]],
    [{ outcome: 'updated', advanced: false, newlyCancelled: false }, []],
    [{ outcome: 'stale', advanced: false, newlyCancelled: false }, []],
  ] as const)('%j → %j', (result, topics) => {
    expect(orderEventTopics(result)).toEqual(topics);
  });
});

describe('order event messages', () => {
  const state: OrderState = {
    id: '820982911946154508',
    adminGraphqlApiId: null,
    name: '#1001',
    orderNumber: '1001',
    email: 'jon@example.com',
    currency: 'USD',
    financialStatus: 'paid',
    fulfillmentStatus: null,
    totalPrice: '199.65',
    subtotalPrice: '199.00',
    totalTax: '0.65',
    totalDiscounts: '0.00',
    cancelledAt: null,
    cancelReason: null,
    createdAt: '2026-10-01T12:00:00-04:00',
    updatedAt: '2026-10-01T12:05:00-04:00',
    lineItems: null,
    customer: {
      id: '207119551',
      email: 'jon@example.com',
      firstName: 'Jon',
      lastName: 'Snow',
      phone: null,
    },
    test: false,
  };

  it('normalises versions to UTC so they compare as text', () => {
    expect(normaliseVersion('2026-10-01T12:05:00-04:00')).toBe('2026-10-01T16:05:00.000Z');
    expect(normaliseVersion('2026-10-01T16:05:00Z')).toBe('2026-10-01T16:05:00.000Z');
  });

  it('builds a DomainEvent keyed by shop and order, with string ids and the webhook as cause', () => {
    const data = orderData(state, [
      {
        id: '866550311766439020',
        productId: null,
        variantId: '1',
        sku: null,
        title: 'x',
        quantity: 2,
        price: '1.00',
      },
    ]);
    const message = orderEventMessage(
      DomainTopic.OrderAccepted,
      'acme.myshopify.com',
      data,
      'wh-1',
    );
    expect(message.topic).toBe('orders.order.accepted.v1');
    expect(message.key).toBe('acme.myshopify.com/820982911946154508');
    const event = JSON.parse(String(message.value));
    expect(event).toMatchObject({
      type: 'orders.order.accepted',
      schemaVersion: 1,
      shopDomain: 'acme.myshopify.com',
      aggregateId: '820982911946154508',
      aggregateVersion: '2026-10-01T16:05:00.000Z',
      causationId: 'wh-1',
      data: {
        order: {
          id: '820982911946154508',
          createdAt: '2026-10-01T16:00:00.000Z',
          customer: { id: '207119551', firstName: 'Jon' },
          lineItems: [{ id: '866550311766439020', quantity: 2 }],
        },
      },
    });
    expect(message.headers?.['shopwire-event-id']).toBe(event.eventId);
    expect(String(message.value)).toContain('"id":"820982911946154508"');
  });
});
