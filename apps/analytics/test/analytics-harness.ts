import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@shopwire/config';
import { envelopeHeaders, messageKey, type OrderData } from '@shopwire/contracts';
import { createHttpApp, METRICS_REGISTRY } from '@shopwire/http';
import { createKafkaClient } from '@shopwire/kafka';
import { createLogger, NestPinoLogger, type Registry } from '@shopwire/observability';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AppModule } from '../src/app.module';
import { analyticsConfigSchema } from '../src/config';
import { createAnalyticsDataSource, runAnalyticsMigrations } from '../src/database/migrate';
import { ANALYTICS_TOPICS, SalesConsumer } from '../src/sales/sales.consumer';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TOKEN = 'analytics-test-token-0123456789';
export const logger = createLogger('analytics-test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** Drops the analytics schema and migrates it from scratch, so every run starts from nothing. */
export async function resetSchema(): Promise<void> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  await pool.query('DROP SCHEMA IF EXISTS analytics CASCADE');
  await pool.end();
  const dataSource = createAnalyticsDataSource({ url: DATABASE_URL, poolSize: 2 });
  await dataSource.initialize();
  try {
    await runAnalyticsMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export function testKafka(): Kafka {
  return createKafkaClient({ brokers: KAFKA_BROKERS.split(','), clientId: 'analytics-it', logger });
}

/**
 * Points a fresh group at the current end of every topic it reads (topics are pre-provisioned
 * and shared), so a test consumes what it produces, not other suites' backlog.
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of ANALYTICS_TOPICS) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export interface RunningApp {
  app: NestFastifyApplication;
  registry: Registry;
  consumer: SalesConsumer;
  get(path: string, token?: string | null): Promise<{ statusCode: number; json: () => unknown }>;
  close(): Promise<void>;
}

export async function startApp(
  groupId: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const config = loadConfig(analyticsConfigSchema, {
    DATABASE_URL,
    KAFKA_BROKERS,
    API_TOKENS: `it:${TOKEN}`,
    ANALYTICS_CONSUMER_GROUP: groupId,
    LOG_LEVEL: 'warn',
    ...env,
  });
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'analytics (test)',
    description: 'test',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const consumer = app.get(SalesConsumer);
  await waitFor(() => consumer.status.joined, 'consumer joined its group');
  return {
    app,
    consumer,
    registry: app.get<Registry>(METRICS_REGISTRY),
    async get(path, token = TOKEN) {
      const response = await app.inject({
        method: 'GET',
        url: path,
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
      });
      return {
        statusCode: response.statusCode,
        json: () => JSON.parse(response.body) as unknown,
      };
    },
    close: () => app.close(),
  };
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  // Generous: the broker and the machine are shared with other suites.
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

export function uniqueShop(): string {
  return `t-${randomUUID().slice(0, 8)}.myshopify.com`;
}

export interface Webhook {
  shop: string;
  shopifyTopic: string;
  /** Raw JSON, numbers unquoted as Shopify writes them. */
  body: string;
  resourceId: string | null;
  webhookId?: string;
}

/** Produces webhooks the way the gateway does: raw body as value, envelope in headers. */
export async function produceWebhooks(
  producer: Producer,
  topic: string,
  webhooks: Webhook[],
): Promise<string[]> {
  const ids = webhooks.map((w) => w.webhookId ?? randomUUID());
  await producer.send({
    topic,
    acks: -1,
    messages: webhooks.map((w, index) => ({
      key: messageKey(w.shop, w.resourceId),
      value: Buffer.from(w.body, 'utf8'),
      headers: envelopeHeaders({
        webhookId: ids[index],
        eventId: randomUUID(),
        shopifyTopic: w.shopifyTopic,
        shopDomain: w.shop,
        apiVersion: '2026-10',
        triggeredAt: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
      }),
    })),
  });
  return ids;
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
