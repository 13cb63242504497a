import { loadConfig } from '@shopwire/config';
import { SUBSCRIPTIONS } from '@shopwire/contracts';
import { createKafkaClient } from '@shopwire/kafka';
import { createLogger } from '@shopwire/observability';
import {
  resetServiceSchema,
  startGroupAtEnd as startGroupAtEndOf,
  startServiceApp,
  TEST_DATABASE_URL,
  type RunningServiceApp,
} from '@shopwire/testing';
import type { Kafka } from 'kafkajs';
import { AppModule } from '../src/app.module';
import { syncConfigSchema } from '../src/config';
import { createSyncDataSource, runSyncMigrations } from '../src/database/migrate';

export {
  metricValue,
  orderEvent,
  produceEvents,
  produceWebhook,
  testOrder as orderData,
  uniqueShop,
  waitFor,
} from '@shopwire/testing';

export const DATABASE_URL = TEST_DATABASE_URL;
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TOKEN = 'integration-test-token-0123456789';
export const logger = createLogger('sync-test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** Drops the sync schema and migrates it from scratch. */
export function resetSchema(): Promise<void> {
  return resetServiceSchema({
    schema: 'sync',
    createDataSource: createSyncDataSource,
    runMigrations: runSyncMigrations,
  });
}

export function testKafka(): Kafka {
  return createKafkaClient({ brokers: KAFKA_BROKERS.split(','), clientId: 'sync-it', logger });
}

/** Points a fresh group at the current end of every subscribed topic (they are shared). */
export function startGroupAtEnd(kafka: Kafka, groupId: string): Promise<void> {
  return startGroupAtEndOf(kafka, groupId, SUBSCRIPTIONS.sync);
}

/** The app with its consumer transport started (group `sync`, among any lib consumers). */
export type RunningApp = RunningServiceApp;

export function startApp(groupId: string, env: Record<string, string>): Promise<RunningApp> {
  const config = loadConfig(syncConfigSchema, {
    DATABASE_URL,
    KAFKA_BROKERS,
    API_TOKENS: `it:${TOKEN}`,
    SYNC_CONSUMER_GROUP: groupId,
    LOG_LEVEL: 'warn',
    WORKER_POLL_MS: '200',
    ERP_ATTEMPTS: '3',
    ERP_RETRY_BASE_MS: '50',
    ERP_TIMEOUT_MS: '2000',
    SYNC_BACKOFF_BASE_MS: '300',
    SYNC_BACKOFF_CAP_MS: '1000',
    BREAKER_VOLUME_THRESHOLD: '3',
    BREAKER_RESET_MS: '1000',
    ...env,
  });
  return startServiceApp({
    module: AppModule.register(config, logger),
    title: 'sync (test)',
    logger,
    token: TOKEN,
  });
}
