import { ConsumerGroup, SUBSCRIPTIONS } from '@shopwire/contracts';

/**
 * The services of the webhook pipeline as the pipeline benchmark and the cross-service fault
 * tests start them, in order, and how each one's effects for one shop are counted (SQL with
 * `$1` = shop domain, answering one row with `n`). One table, so a new service joins both.
 */
export interface ServiceSpec {
  name: string;
  port: number;
  /** Env var naming the consumer group; the benchmark gives each run a fresh group. */
  groupEnv?: string;
  topics: readonly string[];
  env?: Record<string, string>;
  effects?: Record<string, string>;
}

export const PIPELINE_SERVICES: ServiceSpec[] = [
  { name: 'shopify-sim', port: 3100, topics: [] },
  { name: 'gateway', port: 3000, topics: [] },
  {
    name: 'order',
    port: 3001,
    groupEnv: 'ORDER_CONSUMER_GROUP',
    topics: SUBSCRIPTIONS[ConsumerGroup.Order],
    effects: { orders: 'SELECT count(*) AS n FROM orders.orders WHERE shop_domain = $1' },
  },
  {
    name: 'inventory',
    port: 3002,
    groupEnv: 'INVENTORY_CONSUMER_GROUP',
    topics: SUBSCRIPTIONS[ConsumerGroup.Inventory],
    effects: {
      'orders-committed':
        'SELECT count(*) AS n FROM inventory.order_commitments WHERE shop_domain = $1',
    },
  },
  {
    name: 'analytics',
    port: 3004,
    groupEnv: 'ANALYTICS_CONSUMER_GROUP',
    topics: SUBSCRIPTIONS[ConsumerGroup.Analytics],
    effects: {
      'orders-counted':
        'SELECT count(*) AS n FROM analytics.order_contributions WHERE shop_domain = $1',
    },
  },
  {
    name: 'notification',
    port: 3003,
    groupEnv: 'NOTIFICATION_CONSUMER_GROUP',
    topics: SUBSCRIPTIONS[ConsumerGroup.Notification],
    effects: {
      'confirmations-sent': `SELECT count(*) AS n FROM notification.notifications
                               WHERE shop_domain = $1 AND template = 'order-confirmation' AND status = 'sent'`,
    },
  },
  {
    name: 'sync',
    port: 3005,
    groupEnv: 'SYNC_CONSUMER_GROUP',
    topics: SUBSCRIPTIONS[ConsumerGroup.Sync],
    effects: {
      'orders-synced': `SELECT count(*) AS n FROM sync.order_syncs WHERE shop_domain = $1 AND status = 'synced'`,
    },
  },
];
