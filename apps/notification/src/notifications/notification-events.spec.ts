import { DomainTopic, envelopeHeaders, ShopifyKafkaTopic } from '@shopwire/contracts';
import type { KafkaMessage } from 'kafkajs';
import { decodeNotificationInput, maskEmail, recipientHash } from './notification-events';
import { renderEmail, Template } from './notification-templates';

const message = (value: string, headers: Record<string, string> = {}): KafkaMessage =>
  ({
    offset: '7',
    value: Buffer.from(value),
    headers,
    key: null,
    timestamp: '0',
    attributes: 0,
  }) as KafkaMessage;

const order = {
  id: '9007199254740993',
  name: '#1001',
  email: 'Buyer@Example.com',
  customer: { id: '42', email: 'buyer@example.com', firstName: 'Ada', lastName: 'L', phone: null },
  currency: 'EUR',
  totalPrice: '10.00',
  cancelReason: null,
  updatedAt: '2026-11-27T00:00:00Z',
  lineItems: [{ id: '1', title: 'Mug', quantity: 2, price: '5.00' }],
};
/** A domain event as its producer writes it (the contracts' decoders read nothing less). */
const event = (type: string, aggregateId: string, data: unknown) =>
  JSON.stringify({
    eventId: 'e-1',
    type,
    schemaVersion: 1,
    occurredAt: '2026-11-27T00:00:01Z',
    shopDomain: 'a.myshopify.com',
    aggregateId,
    aggregateVersion: '2026-11-27T00:00:00Z',
    causationId: null,
    data,
  });
const orderEvent = (data: unknown) => event('orders.order.accepted', order.id, data);
const lowEvent = (data: unknown) => event('inventory.level.low', '5/6', data);
const noMerchant = () => null;

describe('decodeNotificationInput', () => {
  it('turns an accepted order into a confirmation to the order email', () => {
    const input = decodeNotificationInput(
      DomainTopic.OrderAccepted,
      message(orderEvent({ order })),
      noMerchant,
    );
    expect(input).toMatchObject({
      kind: 'email',
      inboxId: 'e-1',
      shopDomain: 'a.myshopify.com',
      drafts: [
        {
          template: Template.OrderConfirmation,
          orderId: '9007199254740993',
          customerId: '42',
          recipient: 'Buyer@Example.com',
          recipientName: 'Ada L',
        },
      ],
    });
  });

  it('sends low-stock alerts to the merchant, or records no recipient', () => {
    const data = {
      inventoryItemId: '5',
      locationId: '6',
      sku: 'S',
      available: 1,
      committed: 0,
      sellable: 1,
      threshold: 2,
    };
    const to = decodeNotificationInput(
      DomainTopic.InventoryLevelLow,
      message(lowEvent(data)),
      () => 'm@shop.test',
    );
    expect(to).toMatchObject({
      drafts: [{ template: Template.LowStockAlert, recipient: 'm@shop.test' }],
    });
    const none = decodeNotificationInput(
      DomainTopic.InventoryLevelLow,
      message(lowEvent(data)),
      noMerchant,
    );
    expect(none).toMatchObject({ drafts: [{ recipient: null }] });
  });

  it('rejects what is not an event instead of throwing', () => {
    expect(
      decodeNotificationInput(DomainTopic.OrderAccepted, message('{nope'), noMerchant),
    ).toMatchObject({
      kind: 'rejected',
      reason: 'json',
      offset: '7',
      detail: 'value is not valid JSON', // for the DLQ's header: fields named, never quoted
    });
    expect(
      decodeNotificationInput(DomainTopic.OrderAccepted, message(orderEvent({})), noMerchant),
    ).toMatchObject({
      kind: 'rejected',
      reason: 'event',
    });
  });

  it('reads compliance webhooks with exact customer ids and ignores other shop topics', () => {
    const headers = (shopifyTopic: string) =>
      envelopeHeaders({
        webhookId: 'w-1',
        eventId: null,
        shopifyTopic,
        shopDomain: 'a.myshopify.com',
        apiVersion: null,
        triggeredAt: null,
        receivedAt: '2026-11-27T00:00:00Z',
      });
    const body =
      '{"shop_id":1,"shop_domain":"a.myshopify.com","customer":{"id":9007199254740993,' +
      '"email":"x@y.z"},"orders_to_redact":[]}';
    expect(
      decodeNotificationInput(
        ShopifyKafkaTopic.Compliance,
        message(body, headers('customers/redact')),
        noMerchant,
      ),
    ).toMatchObject({
      kind: 'privacy',
      action: 'customers/redact',
      customerId: '9007199254740993',
      customerEmail: 'x@y.z',
      inboxId: 'w-1',
    });
    expect(
      decodeNotificationInput(
        ShopifyKafkaTopic.Compliance,
        message('{}', headers('shop/update')),
        noMerchant,
      ),
    ).toMatchObject({ kind: 'ignored', reason: 'shop' }); // counted by the webhook's family
    expect(
      decodeNotificationInput(
        ShopifyKafkaTopic.Compliance,
        message('{"customer":{"email":"x@y.z"}}', headers('customers/redact')),
        noMerchant,
      ),
    ).toMatchObject({ kind: 'rejected', reason: 'payload' });
  });
});

describe('recipients', () => {
  it('masks addresses and hashes them case-insensitively', () => {
    expect(maskEmail('merchant@example.com')).toBe('m•••@example.com');
    expect(maskEmail(null)).toBeNull();
    expect(recipientHash(' Buyer@Example.com ')).toBe(recipientHash('buyer@example.com'));
  });
});

describe('renderEmail', () => {
  it('renders each template from the stored variables', () => {
    const vars = {
      orderName: '#1001',
      currency: 'EUR',
      totalPrice: '10.00',
      firstName: 'Ada',
      cancelReason: 'customer',
      lineItems: order.lineItems,
    };
    expect(renderEmail(Template.OrderConfirmation, 'a.myshopify.com', vars)).toMatchObject({
      subject: 'Order #1001 confirmed',
      text: expect.stringContaining('2 × Mug @ 5.00'),
    });
    expect(renderEmail(Template.OrderCancellation, 'a.myshopify.com', vars).text).toContain(
      '(customer)',
    );
    expect(
      renderEmail(Template.LowStockAlert, 'a.myshopify.com', {
        sku: 'S-1',
        inventoryItemId: '5',
        locationId: '6',
        available: 3,
        committed: 2,
        sellable: 1,
        threshold: 5,
      }).subject,
    ).toBe('Low stock: S-1');
  });
});
