import { DomainTopic } from './domain-events';
import { ShopifyKafkaTopic } from './topics';

/**
 * Every consumer group and what it reads. Provisioning creates each group's retry topic and each
 * source topic's dead-letter topic from this table, so a new subscription is one line here.
 */
export const ConsumerGroup = {
  Order: 'order',
  Inventory: 'inventory',
  Notification: 'notification',
  Analytics: 'analytics',
  Sync: 'sync',
  Shops: 'shops',
} as const;

export type ConsumerGroup = (typeof ConsumerGroup)[keyof typeof ConsumerGroup];

export const SUBSCRIPTIONS: Record<ConsumerGroup, readonly string[]> = {
  order: [ShopifyKafkaTopic.Orders, ShopifyKafkaTopic.Compliance],
  inventory: [
    ShopifyKafkaTopic.Inventory,
    DomainTopic.OrderAccepted,
    DomainTopic.OrderCancelled,
    ShopifyKafkaTopic.Compliance,
  ],
  notification: [
    DomainTopic.OrderAccepted,
    DomainTopic.OrderCancelled,
    DomainTopic.InventoryLevelLow,
    ShopifyKafkaTopic.Compliance,
  ],
  analytics: [
    DomainTopic.OrderAccepted,
    DomainTopic.OrderUpdated,
    DomainTopic.OrderCancelled,
    ShopifyKafkaTopic.Compliance,
  ],
  sync: [
    DomainTopic.OrderAccepted,
    ShopifyKafkaTopic.Products,
    ShopifyKafkaTopic.Compliance,
    // The installed shops sync schedules work for; an uninstall cancels the shop's jobs.
    DomainTopic.ShopInstallationChanged,
  ],
  // app/uninstalled and shop/redact: the installation's lifecycle (apps/shops/src/lifecycle/).
  shops: [ShopifyKafkaTopic.Compliance],
};

/**
 * Whether some consumer group reads `topic`. The gateway writes a webhook only to a topic that
 * is read: a family nobody acts on (customers/*, bulk_operations/*, unknown topics) would only
 * keep personal data on Kafka for its retention, for no reader.
 */
export function isConsumedTopic(topic: string): boolean {
  return CONSUMED.has(topic);
}

const CONSUMED: ReadonlySet<string> = new Set(Object.values(SUBSCRIPTIONS).flat());

/** Where a group parks a message for a delayed retry (one per group: only that group re-reads it). */
export function retryTopicOf(group: string): string {
  return `shopwire.${group}.retry.v1`;
}

/** Where messages of `topic` go after their last attempt, whichever group failed them. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
