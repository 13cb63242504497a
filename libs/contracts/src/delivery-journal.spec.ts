import { deliveryIdentityOf, DomainEventHeader, traceIdOf } from './delivery-journal';
import { envelopeHeaders } from './webhook-envelope';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('deliveryIdentityOf', () => {
  it('reads a webhook from its envelope headers and the resource from its key', () => {
    const headers = envelopeHeaders({
      webhookId: 'wh-1',
      eventId: null,
      shopifyTopic: 'orders/updated',
      shopDomain: 'acme.myshopify.com',
      apiVersion: null,
      triggeredAt: null,
      receivedAt: '2026-12-06T05:00:00.000Z',
    });
    expect(
      deliveryIdentityOf({
        key: Buffer.from('acme.myshopify.com/9007199254740993'),
        value: Buffer.from('{}'),
        headers,
      }),
    ).toEqual({
      eventId: 'wh-1',
      webhookId: 'wh-1',
      shop: 'acme.myshopify.com',
      topic: 'orders/updated',
      resourceId: '9007199254740993',
    });
  });

  it("reads a domain event from its headers, its webhook being the event's cause", () => {
    expect(
      deliveryIdentityOf({
        key: 'acme.myshopify.com/42',
        value: Buffer.from('not json: the headers are enough'),
        headers: {
          [DomainEventHeader.EventId]: Buffer.from('ev-1'),
          [DomainEventHeader.EventType]: 'orders.order.accepted',
          [DomainEventHeader.CausationId]: 'wh-1',
        },
      }),
    ).toEqual({
      eventId: 'ev-1',
      webhookId: 'wh-1',
      shop: 'acme.myshopify.com',
      topic: 'orders.order.accepted',
      resourceId: '42',
    });
  });

  it('reads a domain event published without those headers from its value', () => {
    const event = {
      eventId: 'ev-2',
      type: 'inventory.level.low',
      shopDomain: 'acme.myshopify.com',
      aggregateId: '7/8',
      causationId: null,
    };
    expect(
      deliveryIdentityOf({
        key: 'acme.myshopify.com/7/8',
        value: Buffer.from(JSON.stringify(event)),
      }),
    ).toEqual({
      eventId: 'ev-2',
      webhookId: null,
      shop: 'acme.myshopify.com',
      topic: 'inventory.level.low',
      resourceId: '7/8',
    });
  });

  it('names nothing that is neither (a job, garbage)', () => {
    expect(deliveryIdentityOf({ key: null, value: Buffer.from('{"jobId":"1"}') })).toBeNull();
    expect(deliveryIdentityOf({ key: null, value: Buffer.from('{') })).toBeNull();
    expect(deliveryIdentityOf({ key: null, value: null })).toBeNull();
  });
});

describe('traceIdOf', () => {
  it('takes the trace id of a valid traceparent', () => {
    expect(traceIdOf({ traceparent: Buffer.from(traceparent) })).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it.each([
    ['no header', undefined],
    ['a malformed header', 'hello'],
    ['the all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
  ])('gives null for %s', (_what, value) => {
    expect(traceIdOf(value === undefined ? {} : { traceparent: value })).toBeNull();
  });
});
