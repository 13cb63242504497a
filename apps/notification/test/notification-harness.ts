import { loadConfig } from '@shopwire/config';
import { DomainTopic, ShopifyKafkaTopic, SUBSCRIPTIONS } from '@shopwire/contracts';
import { createKafkaClient } from '@shopwire/kafka';
import { createLogger } from '@shopwire/observability';
import {
  domainEvent,
  produceWebhook,
  resetServiceSchema,
  startGroupAtEnd as startGroupAtEndOf,
  startServiceApp,
  TEST_DATABASE_URL,
  type ProducedEvent,
  type RunningServiceApp,
} from '@shopwire/testing';
import type { Kafka, Producer } from 'kafkajs';
import { AppModule } from '../src/app.module';
import { notificationConfigSchema } from '../src/config';
import { createNotificationDataSource, runNotificationMigrations } from '../src/database/migrate';

export {
  metricValue,
  orderEvent,
  produceEvents,
  testOrder as orderData,
  uniqueShop,
  waitFor,
} from '@shopwire/testing';

export const DATABASE_URL = TEST_DATABASE_URL;
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TOKEN = 'integration-test-token-0123456789';
export const logger = createLogger('notification-test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** Drops the notification schema and migrates it from scratch. */
export function resetSchema(): Promise<void> {
  return resetServiceSchema({
    schema: 'notification',
    createDataSource: createNotificationDataSource,
    runMigrations: runNotificationMigrations,
  });
}

export function testKafka(): Kafka {
  return createKafkaClient({
    brokers: KAFKA_BROKERS.split(','),
    clientId: 'notification-it',
    logger,
  });
}

/** Points a fresh group at the current end of every subscribed topic (they are shared). */
export function startGroupAtEnd(kafka: Kafka, groupId: string): Promise<void> {
  return startGroupAtEndOf(kafka, groupId, SUBSCRIPTIONS.notification);
}

/** The app with its consumer transport started (one consumer, group `notification`). */
export type RunningApp = RunningServiceApp;

export function startApp(groupId: string, env: Record<string, string>): Promise<RunningApp> {
  const config = loadConfig(notificationConfigSchema, {
    DATABASE_URL,
    KAFKA_BROKERS,
    API_TOKENS: `it:${TOKEN}`,
    NOTIFICATION_CONSUMER_GROUP: groupId,
    LOG_LEVEL: 'warn',
    SENDER_POLL_MS: '200',
    SEND_ATTEMPTS: '2',
    SEND_RETRY_BASE_MS: '50',
    // The production default. A relay that took the message but answered after the timeout gets
    // it again on the retry (SMTP's own at-least-once); a 2 s timeout on a loaded CI machine made
    // that happen and the "each once" checks count the copies.
    SMTP_TIMEOUT_MS: '10000',
    BREAKER_VOLUME_THRESHOLD: '3',
    BREAKER_RESET_MS: '1000',
    ...env,
  });
  return startServiceApp({
    module: AppModule.register(config, logger),
    title: 'notification (test)',
    logger,
    token: TOKEN,
  });
}

export function lowStockEvent(shopDomain: string, inventoryItemId: string): ProducedEvent {
  return domainEvent(DomainTopic.InventoryLevelLow, {
    type: 'inventory.level.low',
    shopDomain,
    aggregateId: inventoryItemId,
    data: {
      inventoryItemId,
      locationId: '99',
      sku: 'SKU-LOW',
      available: 3,
      committed: 2,
      sellable: 1,
      threshold: 5,
    },
  });
}

/** A compliance webhook as the gateway writes it (raw body, envelope headers). */
export function produceCompliance(
  producer: Producer,
  shopDomain: string,
  shopifyTopic: string,
  body: string,
): Promise<string> {
  return produceWebhook(producer, ShopifyKafkaTopic.Compliance, shopDomain, shopifyTopic, body);
}
