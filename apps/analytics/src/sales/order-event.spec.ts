import { OrderEventError, parseOrderEvent } from './order-event';

const value = (order: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      eventId: 'e-1',
      shopDomain: 'acme.myshopify.com',
      aggregateVersion: '2026-11-27T05:00:00-05:00',
      data: { order },
      ...extra,
    }),
  );

const order = {
  id: '820982911946154508',
  email: 'jo@example.com',
  customer: { id: '1', email: 'jo@example.com', firstName: 'Jo', lastName: 'Doe', phone: '+1' },
  currency: 'USD',
  totalPrice: '199.65',
  totalTax: '0.65',
  totalDiscounts: '0.00',
  createdAt: '2026-11-27T04:00:00Z',
  cancelledAt: null,
  test: false,
  lineItems: [
    {
      id: '1',
      productId: '9007199254740993',
      sku: 'A',
      title: 'Thing',
      quantity: 2,
      price: '99.50',
    },
  ],
};

describe('parseOrderEvent', () => {
  it('keeps ids and money as exact strings and drops every personal field', () => {
    const event = parseOrderEvent('orders.order.updated.v1', value(order));
    expect(event).toEqual({
      kind: 'updated',
      eventId: 'e-1',
      shopDomain: 'acme.myshopify.com',
      version: '2026-11-27T10:00:00.000Z',
      order: {
        id: '820982911946154508',
        currency: 'USD',
        totalPrice: '199.65',
        totalTax: '0.65',
        totalDiscounts: '0.00',
        createdAt: '2026-11-27T04:00:00Z',
        cancelledAt: null,
        test: false,
        lineItems: [
          { productId: '9007199254740993', sku: 'A', title: 'Thing', quantity: 2, price: '99.50' },
        ],
      },
    });
    expect(JSON.stringify(event)).not.toMatch(/jo@example|Doe|\+1/);
  });

  it.each([
    [
      'orders.order.accepted.v1',
      value({ ...order, totalPrice: 199.65 }),
      /^data\.order\.totalPrice/,
    ],
    ['orders.order.accepted.v1', value({ ...order, id: 820982911946 }), /^data\.order\.id/],
    ['orders.order.accepted.v1', value(order, { shopDomain: 'evil.com' }), /^shopDomain/],
    ['orders.order.accepted.v1', Buffer.from('not json'), /not valid JSON/],
    ['inventory.level.low.v1', value(order), /not an order event topic/],
  ])('rejects %s with a message naming the field', (topic, message, expected) => {
    expect(() => parseOrderEvent(topic, message)).toThrow(OrderEventError);
    expect(() => parseOrderEvent(topic, message)).toThrow(expected);
  });
});
