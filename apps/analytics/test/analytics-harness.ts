import { loadConfig } from '@shopwire/config';
import { SUBSCRIPTIONS, type OrderData } from '@shopwire/contracts';
import { createKafkaClient } from '@shopwire/kafka';
import { createLogger } from '@shopwire/observability';
import {
  resetServiceSchema,
  startGroupAtEnd as startGroupAtEndOf,
  startServiceApp,
  TEST_DATABASE_URL,
  type RunningServiceApp,
} from '@shopwire/testing';
import type { Kafka, Producer } from 'kafkajs';
import { AppModule } from '../src/app.module';
import { analyticsConfigSchema } from '../src/config';
import { createAnalyticsDataSource, runAnalyticsMigrations } from '../src/database/migrate';

export { metricValue, produceWebhooks, uniqueShop, waitFor, type Webhook } from '@shopwire/testing';

export const DATABASE_URL = TEST_DATABASE_URL;
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TOKEN = 'analytics-test-token-0123456789';
export const logger = createLogger('analytics-test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** Drops the analytics schema and migrates it from scratch, so every run starts from nothing. */
export function resetSchema(): Promise<void> {
  return resetServiceSchema({
    schema: 'analytics',
    createDataSource: createAnalyticsDataSource,
    runMigrations: runAnalyticsMigrations,
  });
}

export function testKafka(): Kafka {
  return createKafkaClient({ brokers: KAFKA_BROKERS.split(','), clientId: 'analytics-it', logger });
}

/** A fresh group starting at the end of every topic analytics reads. */
export function startGroupAtEnd(kafka: Kafka, groupId: string): Promise<void> {
  return startGroupAtEndOf(kafka, groupId, SUBSCRIPTIONS.analytics);
}

/** The app with its consumer transport started (one consumer, group `analytics`). */
export type RunningApp = RunningServiceApp;

export function startApp(groupId: string, env: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadConfig(analyticsConfigSchema, {
    DATABASE_URL,
    KAFKA_BROKERS,
    API_TOKENS: `it:${TOKEN}`,
    ANALYTICS_CONSUMER_GROUP: groupId,
    LOG_LEVEL: 'warn',
    ...env,
  });
  return startServiceApp({
    module: AppModule.register(config, logger),
    title: 'analytics (test)',
    logger,
    token: TOKEN,
  });
}

export type OrderEventKind = 'accepted' | 'updated' | 'cancelled';

/** One order event as the order service's outbox would publish it. */
export interface OrderEventMessage {
  kind: OrderEventKind;
  eventId: string;
  shop: string;
  order: OrderData;
}

export function orderEventValue(message: OrderEventMessage): string {
  return JSON.stringify({
    eventId: message.eventId,
    type: `orders.order.${message.kind}`,
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    shopDomain: message.shop,
    aggregateId: message.order.id,
    aggregateVersion: message.order.updatedAt,
    causationId: null,
    data: { order: message.order },
  });
}

/** Produces order events to their topics, in array order within each topic. */
export async function produceOrderEvents(
  producer: Producer,
  messages: OrderEventMessage[],
): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) {
    const slice = messages.slice(i, i + 500);
    await producer.sendBatch({
      acks: -1,
      topicMessages: (['accepted', 'updated', 'cancelled'] as const).map((kind) => ({
        topic: `orders.order.${kind}.v1`,
        messages: slice
          .filter((m) => m.kind === kind)
          .map((m) => ({ key: `${m.shop}/${m.order.id}`, value: orderEventValue(m) })),
      })),
    });
  }
}
