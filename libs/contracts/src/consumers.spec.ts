import { isConsumedTopic, SUBSCRIPTIONS } from './consumers';
import { ALL_DOMAIN_TOPICS } from './domain-events';
import { routeWebhook, ShopifyKafkaTopic } from './topics';
import { WEBHOOK_SUBSCRIPTIONS } from './webhook-subscriptions';

describe('isConsumedTopic', () => {
  it('knows which raw Shopify topics a group reads', () => {
    for (const topic of [
      ShopifyKafkaTopic.Orders,
      ShopifyKafkaTopic.Products,
      ShopifyKafkaTopic.Inventory,
      ShopifyKafkaTopic.Compliance,
    ])
      expect([topic, isConsumedTopic(topic)]).toEqual([topic, true]);
    for (const topic of [
      ShopifyKafkaTopic.Customers,
      ShopifyKafkaTopic.BulkOperations,
      ShopifyKafkaTopic.Other,
    ])
      expect([topic, isConsumedTopic(topic)]).toEqual([topic, false]);
  });

  it('has a reader for every domain topic a service publishes', () => {
    for (const topic of ALL_DOMAIN_TOPICS)
      expect([topic, isConsumedTopic(topic)]).toEqual([topic, true]);
  });

  it('has a reader for every webhook Shopwire subscribes to', () => {
    for (const { topic } of WEBHOOK_SUBSCRIPTIONS.topics) {
      const kafkaTopic = routeWebhook(topic).kafkaTopic;
      expect([topic, kafkaTopic, isConsumedTopic(kafkaTopic)]).toEqual([topic, kafkaTopic, true]);
    }
  });

  it('follows SUBSCRIPTIONS', () => {
    expect(Object.values(SUBSCRIPTIONS).flat().every(isConsumedTopic)).toBe(true);
    expect(isConsumedTopic('shopwire.order.retry.v1')).toBe(false);
  });
});
