import { COMPLIANCE_WEBHOOK_TOPICS } from './compliance-webhooks';
import { routeWebhook, ShopifyKafkaTopic } from './topics';
import {
  adminApiWebhookTopics,
  appConfigurationWebhookTopics,
  resolveWebhookEndpoint,
  WEBHOOK_SUBSCRIPTIONS,
  webhookTopicEnum,
  webhookTopicFromEnum,
} from './webhook-subscriptions';

describe('WEBHOOK_SUBSCRIPTIONS', () => {
  const topics = WEBHOOK_SUBSCRIPTIONS.topics.map((t) => t.topic);

  it('declares each topic once', () => {
    expect(new Set(topics).size).toBe(topics.length);
  });

  it('keeps the compliance topics in the app configuration only', () => {
    expect(appConfigurationWebhookTopics().map((t) => t.topic)).toEqual([
      ...COMPLIANCE_WEBHOOK_TOPICS,
    ]);
    for (const topic of COMPLIANCE_WEBHOOK_TOPICS)
      expect(adminApiWebhookTopics().map((t) => t.topic)).not.toContain(topic);
  });

  it('subscribes to what the services consume, and app/uninstalled', () => {
    expect(adminApiWebhookTopics().map((t) => t.topic)).toEqual(
      expect.arrayContaining([
        'orders/create',
        'orders/updated',
        'orders/cancelled',
        'products/update',
        'products/delete',
        'inventory_levels/update',
        'inventory_items/update',
        'discounts/update',
        'shop/update',
        'app/uninstalled',
      ]),
    );
  });

  it('routes no declared topic to the catch-all Kafka topic (nothing subscribed goes unread)', () => {
    for (const topic of topics)
      expect([topic, routeWebhook(topic).kafkaTopic]).not.toEqual([topic, ShopifyKafkaTopic.Other]);
  });

  it('names a consumer for every topic, and uses JSON', () => {
    for (const entry of WEBHOOK_SUBSCRIPTIONS.topics)
      expect(entry.consumers.length).toBeGreaterThan(0);
    expect(WEBHOOK_SUBSCRIPTIONS.format).toBe('JSON');
    expect(WEBHOOK_SUBSCRIPTIONS.apiVersion).toMatch(/^\d{4}-(01|04|07|10)$/);
  });
});

describe('topic enum names', () => {
  it.each([
    ['orders/create', 'ORDERS_CREATE'],
    ['orders/partially_fulfilled', 'ORDERS_PARTIALLY_FULFILLED'],
    ['inventory_levels/update', 'INVENTORY_LEVELS_UPDATE'],
    ['app/uninstalled', 'APP_UNINSTALLED'],
    ['shop/update', 'SHOP_UPDATE'],
    ['customers/data_request', 'CUSTOMERS_DATA_REQUEST'],
    ['bulk_operations/finish', 'BULK_OPERATIONS_FINISH'],
  ])('%s ↔ %s', (topic, enumValue) => {
    expect(webhookTopicEnum(topic)).toBe(enumValue);
    expect(webhookTopicFromEnum(enumValue)).toBe(topic);
  });

  it('round-trips every declared topic', () => {
    for (const { topic } of WEBHOOK_SUBSCRIPTIONS.topics)
      expect(webhookTopicFromEnum(webhookTopicEnum(topic))).toBe(topic);
  });

  it('answers null for an enum value it does not know rather than guessing the split', () => {
    expect(webhookTopicFromEnum('SELLING_PLAN_GROUPS_CREATE')).toBeNull();
  });
});

describe('resolveWebhookEndpoint', () => {
  it('normalises the trailing slash and fragment', () => {
    expect(resolveWebhookEndpoint('https://hooks.example.com/webhooks/shopify/#x')).toBe(
      'https://hooks.example.com/webhooks/shopify',
    );
  });

  it.each([
    [undefined, /not set/],
    ['', /not set/],
    ['/webhooks/shopify', /absolute URL/],
    ['ftp://x.example.com/w', /http\(s\)/],
    ['https://user:secret@x.example.com/w', /credentials/],
  ])('refuses %p', (value, message) => {
    expect(() => resolveWebhookEndpoint(value)).toThrow(message);
  });

  it('never echoes the value in its error', () => {
    expect(() => resolveWebhookEndpoint('https://user:hunter2@x.example.com/w')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
