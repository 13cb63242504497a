import { DomainTopic, envelopeHeaders, ShopifyKafkaTopic } from '@shopwire/contracts';
import type { KafkaMessage } from 'kafkajs';
import { ErpHttpError, erpErrorSummary } from './erp-client';
import { erpRedactBody } from './erp-sync.worker';
import { decodeSyncInput } from './sync-events';
import { RetriesExhaustedError } from '@shopwire/resilience';

const message = (value: string, shopifyTopic?: string): KafkaMessage =>
  ({
    offset: '3',
    value: Buffer.from(value),
    key: null,
    timestamp: '0',
    attributes: 0,
    headers: shopifyTopic
      ? envelopeHeaders({
          webhookId: 'w-1',
          eventId: null,
          shopifyTopic,
          shopDomain: 'a.myshopify.com',
          apiVersion: null,
          triggeredAt: '2026-11-27T00:00:00Z',
          receivedAt: '2026-11-27T00:00:01Z',
        })
      : {},
  }) as KafkaMessage;

describe('decodeSyncInput', () => {
  it('reads an accepted order event', () => {
    const value = JSON.stringify({
      eventId: 'e',
      type: 'orders.order.accepted',
      schemaVersion: 1,
      occurredAt: '2026-11-27T00:00:01Z',
      shopDomain: 'a.myshopify.com',
      aggregateId: '9007199254740993',
      aggregateVersion: '2026-11-27T00:00:00Z',
      causationId: null,
      data: { order: { id: '9007199254740993', updatedAt: '2026-11-27T00:00:00Z', lineItems: [] } },
    });
    expect(decodeSyncInput(DomainTopic.OrderAccepted, message(value))).toMatchObject({
      kind: 'order',
      inboxId: 'e',
      order: { id: '9007199254740993' },
    });
    expect(decodeSyncInput(DomainTopic.OrderAccepted, message('{"eventId":"e"}'))).toMatchObject({
      kind: 'rejected',
    });
  });

  it('reads a product with exact ids and decimal prices', () => {
    const body =
      '{"id":9007199254740995,"title":"Mug","handle":"mug","status":"active","updated_at":"2026-11-01T00:00:00-05:00",' +
      '"variants":[{"id":9007199254740997,"sku":"M","price":"12.50","inventory_item_id":9007199254740999},{"id":"x"}]}';
    expect(decodeSyncInput(ShopifyKafkaTopic.Products, message(body, 'products/update'))).toEqual({
      kind: 'product',
      inboxId: 'w-1',
      topic: ShopifyKafkaTopic.Products,
      shopDomain: 'a.myshopify.com',
      product: {
        id: '9007199254740995',
        title: 'Mug',
        handle: 'mug',
        status: 'active',
        updatedAt: '2026-11-01T00:00:00-05:00',
        variants: [
          { id: '9007199254740997', sku: 'M', price: '12.50', inventoryItemId: '9007199254740999' },
        ],
      },
    });
    expect(
      decodeSyncInput(ShopifyKafkaTopic.Products, message('{"id":1}', 'products/update')),
    ).toMatchObject({
      kind: 'rejected',
      reason: 'payload',
    });
    expect(
      decodeSyncInput(ShopifyKafkaTopic.Products, message('{"id":5}', 'products/delete')),
    ).toMatchObject({
      kind: 'product-deleted',
      productId: '5',
      at: '2026-11-27T00:00:00Z',
    });
  });

  it('reads privacy webhooks and ignores the rest of the compliance topic', () => {
    expect(
      decodeSyncInput(
        ShopifyKafkaTopic.Compliance,
        message('{"shop_id":1,"shop_domain":"a.myshopify.com"}', 'shop/redact'),
      ),
    ).toMatchObject({ kind: 'privacy', action: 'shop/redact', customerId: null });
    expect(
      decodeSyncInput(ShopifyKafkaTopic.Compliance, message('{}', 'shop/update')),
    ).toMatchObject({ kind: 'ignored', reason: 'shop' });
  });

  it('reads a guest redact: no customer id, its email and the orders it names, ids exact', () => {
    expect(
      decodeSyncInput(
        ShopifyKafkaTopic.Compliance,
        message(
          '{"shop_id":1,"shop_domain":"a.myshopify.com","customer":{"email":"guest@example.com"},' +
            '"orders_to_redact":[9007199254740993,"12"]}',
          'customers/redact',
        ),
      ),
    ).toMatchObject({
      kind: 'privacy',
      action: 'customers/redact',
      customerId: null,
      customerEmail: 'guest@example.com',
      orderIds: ['9007199254740993', '12'],
    });
    // The gateway refuses such a body; one that reached the topic anyway is not half-read.
    expect(
      decodeSyncInput(
        ShopifyKafkaTopic.Compliance,
        message(
          '{"shop_id":1,"shop_domain":"a.myshopify.com","customer":{"email":"guest@example.com"},' +
            '"orders_to_redact":["12",null,"x"]}',
          'customers/redact',
        ),
      ),
    ).toMatchObject({ kind: 'rejected', reason: 'payload' });
  });

  it('names the ERP redaction scope explicitly, a guest scoped to its orders', () => {
    const base = { shopDomain: 'a.myshopify.com', customerId: null, orderIds: ['5'] };
    expect(erpRedactBody({ ...base, scope: 'customer' })).toEqual({
      shopDomain: 'a.myshopify.com',
      scope: 'customer',
      customerId: null,
      orderIds: ['5'],
    });
    expect(erpRedactBody({ ...base, scope: 'shop' })).toEqual({
      shopDomain: 'a.myshopify.com',
      scope: 'shop',
    });
  });

  it('ignores discount webhooks, which share the products topic (only the cache reads them)', () => {
    for (const topic of ['discounts/create', 'discounts/update', 'discounts/delete'])
      expect(
        decodeSyncInput(
          ShopifyKafkaTopic.Products,
          message('{"admin_graphql_api_id":"gid://shopify/DiscountAutomaticNode/1"}', topic),
        ),
      ).toMatchObject({ kind: 'ignored', reason: 'discounts' });
  });
});

describe('ERP errors', () => {
  it('tells permanent answers from passing ones', () => {
    expect(new ErpHttpError(400, null).permanent).toBe(true);
    expect(new ErpHttpError(429, 1500).permanent).toBe(false);
    expect(new ErpHttpError(503, null).permanent).toBe(false);
  });

  it('summarises the last error behind exhausted retries', () => {
    expect(erpErrorSummary(new RetriesExhaustedError(3, new ErpHttpError(503, null)))).toBe(
      'ERP answered 503',
    );
    expect(
      erpErrorSummary(Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' })),
    ).toBe('erp breaker open');
  });
});
