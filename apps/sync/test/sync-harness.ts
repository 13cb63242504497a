import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@shopwire/config';
import {
  DomainTopic,
  envelopeHeaders,
  messageKey,
  SUBSCRIPTIONS,
  type OrderData,
} from '@shopwire/contracts';
import { createHttpApp, METRICS_REGISTRY } from '@shopwire/http';
import { createKafkaClient } from '@shopwire/kafka';
import { startGroupAtEnd as startGroupAtEndOf } from '@shopwire/testing';
import { createLogger, NestPinoLogger, type Registry } from '@shopwire/observability';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AppModule } from '../src/app.module';
import { syncConfigSchema } from '../src/config';
import { createSyncDataSource, runSyncMigrations } from '../src/database/migrate';
import { SyncConsumer } from '../src/orders/sync.consumer';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TOKEN = 'integration-test-token-0123456789';
export const logger = createLogger('sync-test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** Drops the sync schema and migrates it from scratch. */
export async function resetSchema(): Promise<void> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  await pool.query('DROP SCHEMA IF EXISTS sync CASCADE');
  await pool.end();
  const dataSource = createSyncDataSource({ url: DATABASE_URL, poolSize: 2 });
  await dataSource.initialize();
  try {
    await runSyncMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export function testKafka(): Kafka {
  return createKafkaClient({
    brokers: KAFKA_BROKERS.split(','),
    clientId: 'sync-it',
    logger,
  });
}

/** Points a fresh group at the current end of every subscribed topic (they are shared). */
export async function startGroupAtEnd(kafka: Kafka, groupId: string): Promise<void> {
  await startGroupAtEndOf(kafka, groupId, SUBSCRIPTIONS.sync);
}

// Test assertions read response JSON freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface RunningApp {
  app: NestFastifyApplication;
  registry: Registry;
  consumer: SyncConsumer;
  get(path: string, token?: string | null): Promise<{ statusCode: number; json: () => Json }>;
  close(): Promise<void>;
}

export async function startApp(groupId: string, env: Record<string, string>): Promise<RunningApp> {
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
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'sync (test)',
    description: 'test',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const consumer = app.get(SyncConsumer);
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
      return { statusCode: response.statusCode, json: () => JSON.parse(response.body) };
    },
    close: () => app.close(),
  };
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
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

let nextOrderId = BigInt(Date.now()) * 1000n;

export function orderData(overrides: Partial<OrderData> = {}): OrderData {
  const id = (nextOrderId++).toString();
  return {
    id,
    name: `#${id.slice(-4)}`,
    orderNumber: id.slice(-4),
    email: `buyer-${id}@example.com`,
    customer: {
      id: (BigInt(id) + 7n).toString(),
      email: `buyer-${id}@example.com`,
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: null,
    },
    currency: 'EUR',
    financialStatus: 'paid',
    fulfillmentStatus: null,
    totalPrice: '42.00',
    subtotalPrice: '40.00',
    totalTax: '2.00',
    totalDiscounts: '0.00',
    createdAt: '2026-11-01T10:00:00Z',
    updatedAt: '2026-11-01T10:00:00Z',
    cancelledAt: null,
    cancelReason: null,
    test: false,
    lineItems: [
      {
        id: '1',
        productId: '2',
        variantId: '3',
        sku: 'SKU-1',
        title: 'Mug',
        quantity: 2,
        price: '20.00',
      },
    ],
    ...overrides,
  };
}

export interface ProducedEvent {
  topic: string;
  eventId: string;
  shopDomain: string;
  aggregateId: string;
  value: string;
}

export function orderEvent(
  topic: typeof DomainTopic.OrderAccepted,
  shopDomain: string,
  order: OrderData,
): ProducedEvent {
  const eventId = randomUUID();
  const type = 'orders.order.accepted';
  return {
    topic,
    eventId,
    shopDomain,
    aggregateId: order.id,
    value: JSON.stringify({
      eventId,
      type,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      shopDomain,
      aggregateId: order.id,
      aggregateVersion: order.updatedAt,
      causationId: null,
      data: { order },
    }),
  };
}

export async function produceEvents(producer: Producer, events: ProducedEvent[]): Promise<void> {
  for (const e of events) {
    await producer.send({
      topic: e.topic,
      acks: -1,
      messages: [{ key: messageKey(e.shopDomain, e.aggregateId), value: e.value }],
    });
  }
}

/** A compliance webhook as the gateway writes it (raw body, envelope headers). */
export async function produceWebhook(
  producer: Producer,
  topic: string,
  shopDomain: string,
  shopifyTopic: string,
  body: string,
  webhookId: string = randomUUID(),
): Promise<string> {
  await producer.send({
    topic,
    acks: -1,
    messages: [
      {
        key: shopDomain,
        value: Buffer.from(body),
        headers: envelopeHeaders({
          webhookId,
          eventId: randomUUID(),
          shopifyTopic,
          shopDomain,
          apiVersion: '2026-10',
          triggeredAt: new Date().toISOString(),
          receivedAt: new Date().toISOString(),
        }),
      },
    ],
  });
  return webhookId;
}

export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
) {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}
