import { decodeOrderEvent, type OrderEvent } from '@shopwire/contracts';
import { salesOrderEvent } from './order-event';

const order = {
  id: '820982911946154508',
  email: 'jo@example.com',
  customer: { id: '1', email: 'jo@example.com', firstName: 'Jo', lastName: 'Doe', phone: '+1' },
  currency: 'USD',
  totalPrice: '199.65',
  totalTax: '0.65',
  totalDiscounts: '0.00',
  createdAt: '2026-11-27T04:00:00Z',
  updatedAt: '2026-11-27T10:00:00.000Z',
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

function decoded(): OrderEvent {
  const result = decodeOrderEvent(
    'orders.order.updated.v1',
    JSON.stringify({
      eventId: 'e-1',
      type: 'orders.order.updated',
      schemaVersion: 1,
      occurredAt: '2026-11-27T10:00:01Z',
      shopDomain: 'acme.myshopify.com',
      aggregateId: order.id,
      aggregateVersion: '2026-11-27T05:00:00-05:00',
      causationId: null,
      data: { order },
    }),
  );
  if (!result.ok) throw new Error(result.detail);
  return result.value;
}

describe('salesOrderEvent', () => {
  it('keeps ids and money as exact strings and drops every personal field', () => {
    const event = salesOrderEvent(decoded());
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
});
