import { decodeJson, field, parseExactJson } from './decoding';
import {
  decodeInventoryLevelLow,
  decodeOrderEvent,
  DomainTopic,
  type InventoryLevelLowEvent,
  type OrderAcceptedEvent,
} from './domain-events';
import { decodePrivacyMessage } from './compliance-webhooks';
import { decodeDispatch, encodeDispatch } from './jobs';
import { decodeWebhookMessage, decodeWebhookPayload, envelopeHeaders } from './webhook-envelope';

const SHOP = 'acme.myshopify.com';
const GARBAGE = Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x7b]);

const order: OrderAcceptedEvent = {
  eventId: '0d3c1b1e-0000-4000-8000-000000000001',
  type: 'orders.order.accepted',
  schemaVersion: 1,
  occurredAt: '2026-12-05T10:00:00.000Z',
  shopDomain: SHOP,
  aggregateId: '820982911946154508',
  aggregateVersion: '2026-12-05T09:59:00.000Z',
  causationId: 'webhook-1',
  data: {
    order: {
      id: '820982911946154508',
      name: '#1001',
      orderNumber: '1001',
      email: 'ann@example.com',
      customer: {
        id: '115310627314723954',
        email: 'ann@example.com',
        firstName: 'Ann',
        lastName: 'Lee',
        phone: null,
      },
      currency: 'EUR',
      financialStatus: 'paid',
      fulfillmentStatus: null,
      totalPrice: '42.00',
      subtotalPrice: '40.00',
      totalTax: '2.00',
      totalDiscounts: '0.00',
      createdAt: '2026-12-05T09:58:00.000Z',
      updatedAt: '2026-12-05T09:59:00.000Z',
      cancelledAt: null,
      cancelReason: null,
      test: false,
      lineItems: [
        {
          id: '466157049',
          productId: '632910392',
          variantId: '39072856',
          sku: 'MUG-1',
          title: 'Mug',
          quantity: 2,
          price: '20.00',
        },
      ],
    },
  },
};

const withOrder = (patch: Record<string, unknown>) =>
  JSON.stringify({ ...order, data: { order: { ...order.data.order, ...patch } } });
const withLine = (patch: Record<string, unknown>) =>
  withOrder({ lineItems: [{ ...order.data.order.lineItems[0], ...patch }] });

describe('decodeOrderEvent', () => {
  it('reads the order exactly as the order service announced it', () => {
    expect(decodeOrderEvent(DomainTopic.OrderAccepted, Buffer.from(JSON.stringify(order)))).toEqual(
      {
        ok: true,
        value: order,
      },
    );
  });

  it('reads absent optional fields as null (and test as false)', () => {
    const { id, updatedAt } = order.data.order;
    const lean = {
      ...order,
      causationId: undefined,
      data: { order: { id, updatedAt, lineItems: [{ id: '1', quantity: 1 }] } },
    };
    const decoded = decodeOrderEvent(DomainTopic.OrderAccepted, JSON.stringify(lean));
    expect(decoded).toMatchObject({
      ok: true,
      value: {
        causationId: null,
        data: {
          order: {
            id,
            email: null,
            customer: null,
            totalPrice: null,
            test: false,
            lineItems: [{ id: '1', sku: null, variantId: null, price: null, quantity: 1 }],
          },
        },
      },
    });
  });

  it.each([
    ['the message has no value', DomainTopic.OrderAccepted, null, 'json'],
    ['the value is empty', DomainTopic.OrderAccepted, Buffer.alloc(0), 'json'],
    ['the value is not JSON', DomainTopic.OrderAccepted, '{"eventId":', 'json'],
    ['the value is garbage bytes', DomainTopic.OrderAccepted, GARBAGE, 'json'],
    [
      'the topic is not an order topic',
      DomainTopic.InventoryLevelLow,
      JSON.stringify(order),
      'event',
    ],
    ['the type is another topic’s', DomainTopic.OrderCancelled, JSON.stringify(order), 'event'],
    ['it is not an object', DomainTopic.OrderAccepted, '[1,2]', 'event'],
    [
      'the schema version is unknown',
      DomainTopic.OrderAccepted,
      JSON.stringify({ ...order, schemaVersion: 2 }),
      'event',
    ],
    [
      'the event id is missing',
      DomainTopic.OrderAccepted,
      JSON.stringify({ ...order, eventId: '' }),
      'event',
    ],
    [
      'the shop is not a shop domain',
      DomainTopic.OrderAccepted,
      JSON.stringify({ ...order, shopDomain: 'acme.com' }),
      'event',
    ],
    [
      'the version is not a timestamp',
      DomainTopic.OrderAccepted,
      JSON.stringify({ ...order, aggregateVersion: 'v2' }),
      'event',
    ],
    [
      'the aggregate is another order',
      DomainTopic.OrderAccepted,
      JSON.stringify({ ...order, aggregateId: '1' }),
      'event',
    ],
    [
      'there is no order',
      DomainTopic.OrderAccepted,
      JSON.stringify({ ...order, data: {} }),
      'event',
    ],
    [
      'the order id is not an id',
      DomainTopic.OrderAccepted,
      withOrder({ id: 'gid://shopify/Order/1' }),
      'event',
    ],
    [
      'the order id was rounded',
      DomainTopic.OrderAccepted,
      withOrder({ id: 820982911946154500 }),
      'event',
    ],
    ['the order id is a number', DomainTopic.OrderAccepted, withOrder({ id: 82098 }), 'event'],
    ['money is a float', DomainTopic.OrderAccepted, withOrder({ totalPrice: 42.5 }), 'event'],
    [
      'updatedAt is missing',
      DomainTopic.OrderAccepted,
      withOrder({ updatedAt: undefined }),
      'event',
    ],
    ['the lines are not a list', DomainTopic.OrderAccepted, withOrder({ lineItems: {} }), 'event'],
    ['a quantity is negative', DomainTopic.OrderAccepted, withLine({ quantity: -1 }), 'event'],
    ['a variant id is not an id', DomainTopic.OrderAccepted, withLine({ variantId: 'x' }), 'event'],
    [
      'the customer is not an object',
      DomainTopic.OrderAccepted,
      withOrder({ customer: 'ann' }),
      'event',
    ],
  ])('refuses it when %s', (_what, topic, value, reason) => {
    expect(decodeOrderEvent(topic, value)).toMatchObject({ ok: false, reason });
  });

  it('names the field, never a value, when it refuses', () => {
    const decoded = decodeOrderEvent(
      DomainTopic.OrderAccepted,
      withOrder({ email: { address: 'ann@example.com' } }),
    );
    expect(decoded).toEqual({
      ok: false,
      reason: 'event',
      detail: expect.stringContaining('data.order.email'),
    });
    expect(JSON.stringify(decoded)).not.toContain('ann@');
  });
});

describe('decodeInventoryLevelLow', () => {
  const low: InventoryLevelLowEvent = {
    eventId: '0d3c1b1e-0000-4000-8000-000000000002',
    type: 'inventory.level.low',
    schemaVersion: 1,
    occurredAt: '2026-12-05T10:00:00.000Z',
    shopDomain: SHOP,
    aggregateId: '808950810/905684977',
    aggregateVersion: '2026-12-05T10:00:00.000Z',
    causationId: null,
    data: {
      inventoryItemId: '808950810',
      locationId: '905684977',
      sku: null,
      available: 3,
      committed: 2,
      sellable: 1,
      threshold: 5,
    },
  };
  const withData = (patch: Record<string, unknown>) =>
    JSON.stringify({ ...low, data: { ...low.data, ...patch } });

  it('reads the event', () => {
    expect(decodeInventoryLevelLow(JSON.stringify(low))).toEqual({ ok: true, value: low });
  });

  it.each([
    ['no value', null, 'json'],
    ['garbage bytes', GARBAGE, 'json'],
    ['an order event', JSON.stringify(order), 'event'],
    ['an item id that is not an id', withData({ inventoryItemId: 'abc' }), 'event'],
    ['a location that is missing', withData({ locationId: undefined }), 'event'],
    ['a count that is not an integer', withData({ available: 2.5 }), 'event'],
    ['a threshold that is text', withData({ threshold: '5' }), 'event'],
  ])('refuses %s', (_what, value, reason) => {
    expect(decodeInventoryLevelLow(value)).toMatchObject({ ok: false, reason });
  });
});

function webhookMessage(shopifyTopic: string, body: string | Buffer | null, shopDomain = SHOP) {
  return {
    value: body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body),
    headers: envelopeHeaders({
      webhookId: 'wh-1',
      eventId: null,
      shopifyTopic,
      shopDomain,
      apiVersion: '2026-01',
      triggeredAt: null,
      receivedAt: '2026-12-05T10:00:00.000Z',
    }),
  };
}

describe('decodeWebhookMessage', () => {
  it('rebuilds the envelope from the headers, with the raw body', () => {
    const decoded = decodeWebhookMessage(webhookMessage('orders/create', '{"id":1}'));
    expect(decoded).toEqual({
      ok: true,
      value: expect.objectContaining({
        webhookId: 'wh-1',
        shopifyTopic: 'orders/create',
        shopDomain: SHOP,
        apiVersion: '2026-01',
        eventId: null,
        payload: Buffer.from('{"id":1}'),
      }),
    });
  });

  it.each([
    ['it has no headers', { value: Buffer.from('{}') }, 'envelope'],
    ['it has no value', webhookMessage('orders/create', null), 'envelope'],
    [
      'its shop is a custom domain',
      webhookMessage('orders/create', '{}', 'shop.example.com'),
      'shop_domain',
    ],
    [
      'its shop is upper-case',
      webhookMessage('orders/create', '{}', 'ACME.myshopify.com'),
      'shop_domain',
    ],
  ])('refuses it when %s', (_what, message, reason) => {
    expect(decodeWebhookMessage(message)).toMatchObject({ ok: false, reason });
  });
});

describe('decodeWebhookPayload', () => {
  const read = (json: unknown) => field.id(field.object(json, 'payload').id, 'id');

  it('parses exactly: an id beyond 2^53 keeps its digits', () => {
    expect(
      decodeWebhookPayload({ payload: Buffer.from('{"id":820982911946154508}') }, read),
    ).toEqual({
      ok: true,
      value: '820982911946154508',
    });
  });

  it.each([
    ['garbage bytes', GARBAGE, 'json'],
    ['not JSON', Buffer.from('{"id":'), 'json'],
    ['a body without the field', Buffer.from('{}'), 'payload'],
  ])('refuses %s', (_what, payload, reason) => {
    expect(decodeWebhookPayload({ payload }, read)).toMatchObject({ ok: false, reason });
  });

  it('never lets a parser message (which can quote the body) through', () => {
    const decoded = decodeWebhookPayload(
      { payload: Buffer.from('{"email":"ann@example.com"') },
      read,
    );
    expect(JSON.stringify(decoded)).not.toContain('ann@');
  });
});

describe('decodePrivacyMessage', () => {
  const redact = {
    shop_id: 954889,
    shop_domain: SHOP,
    customer: { id: 191167, email: 'ann@example.com', phone: null },
    orders_to_redact: [820982911946154508n.toString()],
  };
  const envelope = (topic: string, body: unknown, shopDomain = SHOP) => ({
    shopifyTopic: topic,
    shopDomain,
    payload: Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)),
  });

  it('decodes a customers/redact for the envelope’s shop, ids exact', () => {
    const body = Buffer.from(
      '{"shop_id":954889,"shop_domain":"acme.myshopify.com","customer":{"id":191167,' +
        '"email":"ann@example.com"},"orders_to_redact":[820982911946154508]}',
    );
    expect(decodePrivacyMessage(envelope('customers/redact', body))).toEqual({
      ok: true,
      value: {
        topic: 'customers/redact',
        shopId: '954889',
        shopDomain: SHOP,
        customer: { id: '191167', email: 'ann@example.com', phone: null },
        ordersToRedact: ['820982911946154508'],
      },
    });
  });

  it('decodes an app/uninstalled (the shop resource)', () => {
    const shop = { id: 954889, myshopify_domain: SHOP, domain: 'acme.example' };
    expect(decodePrivacyMessage(envelope('app/uninstalled', shop))).toEqual({
      ok: true,
      value: { topic: 'app/uninstalled', shopId: '954889', shopDomain: SHOP },
    });
  });

  it.each([
    ['garbage bytes', envelope('customers/redact', GARBAGE), 'json'],
    ['not JSON', envelope('shop/redact', Buffer.from('{')), 'json'],
    ['not a privacy topic', envelope('orders/create', redact), 'payload'],
    [
      'a body that does not fit its topic',
      envelope('customers/redact', { shop_id: 1, shop_domain: SHOP }),
      'payload',
    ],
    ['another topic’s body', envelope('shop/redact', redact), 'payload'],
    [
      'a body about another shop',
      envelope('customers/redact', redact, 'other.myshopify.com'),
      'payload',
    ],
  ])('refuses %s', (_what, message, reason) => {
    const decoded = decodePrivacyMessage(message);
    expect(decoded).toMatchObject({ ok: false, reason });
    expect(JSON.stringify(decoded)).not.toContain('ann@');
  });
});

describe('decodeDispatch', () => {
  const id = '5b0c2f8e-3a51-4d7e-9a40-0d6f1c2b3a4e';

  it('round-trips', () => {
    expect(decodeDispatch(Buffer.from(encodeDispatch({ jobId: id, type: 't' })))).toEqual({
      ok: true,
      value: { jobId: id, type: 't' },
    });
  });

  it.each([
    ['no value', null, 'json'],
    ['garbage bytes', GARBAGE, 'json'],
    ['not JSON', 'not json', 'json'],
    ['a job id that is not a uuid', '{"jobId":"1","type":"t"}', 'event'],
    ['no type', `{"jobId":"${id}"}`, 'event'],
  ])('refuses %s', (_what, value, reason) => {
    expect(decodeDispatch(value)).toMatchObject({ ok: false, reason });
  });
});

describe('JSON', () => {
  it('parseExactJson keeps ids beyond 2^53 as their digits and safe numbers as numbers', () => {
    expect(parseExactJson('{"id":820982911946154508,"n":3}')).toEqual({
      id: '820982911946154508',
      n: 3,
    });
  });

  it('decodeJson refuses without quoting the text', () => {
    expect(decodeJson('{"email":"ann@example.com"')).toEqual({
      ok: false,
      reason: 'json',
      detail: 'value is not valid JSON',
    });
  });
});
