import { messageKey, routeWebhook, ShopifyKafkaTopic, webhookFamily } from './topics';

describe('routeWebhook', () => {
  it.each([
    ['orders/create', ShopifyKafkaTopic.Orders, 'id'],
    ['orders/updated', ShopifyKafkaTopic.Orders, 'id'],
    ['orders/cancelled', ShopifyKafkaTopic.Orders, 'id'],
    ['orders/paid', ShopifyKafkaTopic.Orders, 'id'],
    ['refunds/create', ShopifyKafkaTopic.Orders, 'order_id'],
    ['fulfillments/update', ShopifyKafkaTopic.Orders, 'order_id'],
    ['products/update', ShopifyKafkaTopic.Products, 'id'],
    ['discounts/create', ShopifyKafkaTopic.Products, 'admin_graphql_api_id'],
    ['discounts/update', ShopifyKafkaTopic.Products, 'admin_graphql_api_id'],
    ['discounts/delete', ShopifyKafkaTopic.Products, 'admin_graphql_api_id'],
    ['shop/update', ShopifyKafkaTopic.Compliance, null],
    ['inventory_levels/update', ShopifyKafkaTopic.Inventory, 'inventory_item_id'],
    ['inventory_items/update', ShopifyKafkaTopic.Inventory, 'id'],
    ['customers/create', ShopifyKafkaTopic.Customers, 'id'],
    ['customers/data_request', ShopifyKafkaTopic.Compliance, 'customer.id'],
    ['customers/redact', ShopifyKafkaTopic.Compliance, 'customer.id'],
    ['shop/redact', ShopifyKafkaTopic.Compliance, 'shop_id'],
    ['app/uninstalled', ShopifyKafkaTopic.Compliance, null],
    ['bulk_operations/finish', ShopifyKafkaTopic.BulkOperations, 'admin_graphql_api_id'],
    ['themes/publish', ShopifyKafkaTopic.Other, 'id'],
  ])('%s → %s keyed by %s', (topic, kafkaTopic, keyPath) => {
    expect(routeWebhook(topic)).toEqual({ kafkaTopic, keyPath });
  });

  it('keeps every event of one order on one topic so their key orders them', () => {
    const topics = ['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled'];
    expect(new Set(topics.map((t) => routeWebhook(t).kafkaTopic)).size).toBe(1);
  });
});

describe('messageKey', () => {
  it('joins shop and resource id', () => {
    expect(messageKey('acme.myshopify.com', '820982911946154508')).toBe(
      'acme.myshopify.com/820982911946154508',
    );
  });

  it('falls back to the shop when there is no resource id', () => {
    expect(messageKey('acme.myshopify.com', null)).toBe('acme.myshopify.com');
    expect(messageKey('acme.myshopify.com', '')).toBe('acme.myshopify.com');
  });
});

describe('webhookFamily', () => {
  it('is the part before the slash, bounded as a metric label', () => {
    expect(webhookFamily('discounts/create')).toBe('discounts');
    expect(webhookFamily('shop/update')).toBe('shop');
    expect(webhookFamily('orders')).toBe('orders');
    expect(webhookFamily(`${'x'.repeat(100)}/create`)).toHaveLength(40);
  });
});
