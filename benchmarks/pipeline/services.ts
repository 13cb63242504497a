import { ConsumerGroup, SUBSCRIPTIONS } from '@shopwire/contracts';

/**
 * What the pipeline benchmark starts, in order, and how it counts each service's effects for
 * one shop (SQL with `$1` = shop domain, answering one row with `n`).
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
];
