import type { WebhookEnvelope } from '@shopwire/contracts';
import { PRICING_RULES_ID, purgeTargets, STORE_CONFIG_ID } from './webhook-purge';

const envelope = (shopifyTopic: string, body: string): WebhookEnvelope => ({
  webhookId: 'w1',
  eventId: null,
  shopifyTopic,
  shopDomain: 'a.myshopify.com',
  apiVersion: '2026-10',
  triggeredAt: null,
  receivedAt: new Date(0).toISOString(),
  payload: Buffer.from(body),
});

describe('purgeTargets', () => {
  it('purges the product, its metafields and its variants from products/update, ids exact above 2^53', () => {
    const body =
      '{"id":820982911946154508,"title":"x","variants":[{"id":9007199254740993},{"id":"42"}]}';
    expect(purgeTargets(envelope('products/update', body))).toEqual([
      {
        kind: 'entries',
        namespace: 'products',
        shop: 'a.myshopify.com',
        ids: ['820982911946154508'],
      },
      {
        kind: 'entries',
        namespace: 'metafields',
        shop: 'a.myshopify.com',
        ids: ['820982911946154508'],
      },
      {
        kind: 'entries',
        namespace: 'variants',
        shop: 'a.myshopify.com',
        ids: ['9007199254740993', '42'],
      },
    ]);
  });

  it('purges on products/create; products/delete also asks for the variants it had', () => {
    const own = [
      { kind: 'entries', namespace: 'products', shop: 'a.myshopify.com', ids: ['1'] },
      { kind: 'entries', namespace: 'metafields', shop: 'a.myshopify.com', ids: ['1'] },
    ];
    expect(purgeTargets(envelope('products/create', '{"id":1}'))).toEqual(own);
    expect(purgeTargets(envelope('products/delete', '{"id":1}'))).toEqual([
      ...own,
      { kind: 'product-variants', shop: 'a.myshopify.com', productId: '1' },
    ]);
  });

  it('purges the pricing rules on any discounts/* webhook', () => {
    const body = '{"admin_graphql_api_id":"gid://shopify/DiscountAutomaticNode/1","title":"x"}';
    for (const topic of ['discounts/create', 'discounts/update', 'discounts/delete'])
      expect(purgeTargets(envelope(topic, body))).toEqual([
        {
          kind: 'entries',
          namespace: 'pricing-rules',
          shop: 'a.myshopify.com',
          ids: [PRICING_RULES_ID],
        },
      ]);
  });

  it('asks the caller to resolve inventory items; inventory levels purge nothing', () => {
    expect(purgeTargets(envelope('inventory_items/update', '{"id":5,"sku":"S"}'))).toEqual([
      { kind: 'inventory-item', shop: 'a.myshopify.com', inventoryItemId: '5' },
    ]);
    expect(
      purgeTargets(envelope('inventory_levels/update', '{"inventory_item_id":5,"available":3}')),
    ).toEqual([]);
  });

  it('purges store config on shop/update and ignores other topics', () => {
    expect(purgeTargets(envelope('shop/update', '{"id":1}'))).toEqual([
      {
        kind: 'entries',
        namespace: 'store-config',
        shop: 'a.myshopify.com',
        ids: [STORE_CONFIG_ID],
      },
    ]);
    expect(purgeTargets(envelope('orders/updated', 'not json at all'))).toEqual([]);
  });

  it('throws on a product body that is not JSON', () => {
    expect(() => purgeTargets(envelope('products/update', '{'))).toThrow();
  });
});
