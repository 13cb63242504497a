import { loadConfig } from '@shopwire/config';
import { envelopeHeaders, messageKey, ShopifyKafkaTopic } from '@shopwire/contracts';
import { createHttpApp } from '@shopwire/http';
import { createKafkaClient, provisionTopics, type ChunkConsumerTransport } from '@shopwire/kafka';
import { startConsumers } from '@shopwire/service-runtime';
import { resetServiceSchema, startGroupAtEnd, waitFor } from '@shopwire/testing';
import { createLogger, NestPinoLogger, type Registry } from '@shopwire/observability';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { AppModule } from '../src/app.module';
import { orderConfigSchema, type OrderConfig } from '../src/config';
import { createOrderDataSource, runOrderMigrations } from '../src/database/migrate';

export { metricValue, waitFor } from '@shopwire/testing';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TOKEN = 'integration-test-token-0123456789';
export const logger = createLogger('order-test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** Drops the orders schema and migrates it from scratch, so every run starts from nothing. */
export function resetSchema(): Promise<void> {
  return resetServiceSchema({
    schema: 'orders',
    createDataSource: createOrderDataSource,
    runMigrations: runOrderMigrations,
  });
}

export function testKafka(): Kafka {
  return createKafkaClient({ brokers: KAFKA_BROKERS.split(','), clientId: 'order-it', logger });
}

/**
 * Provisions the topics (auto-create is off) and points a fresh group at their current end, so a
 * test consumes only what it produces, not whatever earlier runs left on the shared topics.
 */
export async function prepareTopic(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, [
      { topic: ShopifyKafkaTopic.Orders, partitions: 3, replicationFactor: 1 },
      { topic: ShopifyKafkaTopic.Compliance, partitions: 3, replicationFactor: 1 },
    ]);
  } finally {
    await admin.disconnect();
  }
  // Explicit offsets: resetOffsets(latest) stores -1, which a consumer reads as "no offset"
  // and then starts from the beginning.
  await startGroupAtEnd(kafka, groupId, [ShopifyKafkaTopic.Orders, ShopifyKafkaTopic.Compliance]);
}

export async function committedOffsets(
  kafka: Kafka,
  groupId: string,
): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId, topics: [ShopifyKafkaTopic.Orders] });
    return new Map(topic.partitions.map((p) => [p.partition, BigInt(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

export interface RunningApp {
  app: NestFastifyApplication;
  registry: Registry;
  /** The service's consumer transport (one consumer, group `order`). */
  consumers: ChunkConsumerTransport;
  inject(
    path: string,
    token?: string | null,
  ): Promise<{ statusCode: number; body: string; json: () => unknown }>;
  close(): Promise<void>;
}

export async function startApp(
  groupId: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const config: OrderConfig = loadConfig(orderConfigSchema, {
    DATABASE_URL,
    KAFKA_BROKERS,
    API_TOKENS: `it:${TOKEN}`,
    ORDER_CONSUMER_GROUP: groupId,
    LOG_LEVEL: 'warn',
    ...env,
  });
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'order (test)',
    description: 'test',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const consumers = await startConsumers(app);
  await waitFor(
    () => consumers.statuses.every((s) => s.joined),
    'consumer joined its group',
    60_000,
  );
  return {
    app,
    consumers,
    registry: app.get<Registry>(METRICS_REGISTRY),
    async inject(path, token = TOKEN) {
      const response = await app.inject({
        method: 'GET',
        url: path,
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
      });
      return {
        statusCode: response.statusCode,
        body: response.body,
        json: () => JSON.parse(response.body) as unknown,
      };
    },
    close: () => app.close(),
  };
}

/** One item of `GET /deliveries`, as the console reads it. */
export interface DeliveryItem {
  service: string;
  consumer: string;
  webhookId: string | null;
  eventId: string;
  shop: string | null;
  topic: string | null;
  resourceId: string | null;
  kafka: { topic: string; partition: number; offset: string };
  acceptedAt: string | null;
  processedAt: string;
  outcome: string;
  attempts: number;
  error: string | null;
  traceId: string | null;
  duplicateCount: number;
  lastDuplicateAt: string | null;
}

/** `GET /deliveries?<query>` with the development token (every shop and scope). */
export async function deliveries(
  app: RunningApp,
  query: string,
): Promise<{ items: DeliveryItem[]; nextCursor: string | null }> {
  const response = await app.inject(`/deliveries?${query}`);
  if (response.statusCode !== 200) {
    throw new Error(`GET /deliveries?${query}: ${response.statusCode} ${response.body}`);
  }
  return response.json() as { items: DeliveryItem[]; nextCursor: string | null };
}

export function uniqueShop(): string {
  return `it-${randomUUID().slice(0, 8)}.myshopify.com`;
}

export interface OrderWebhook {
  shop: string;
  /** The raw JSON body, as Shopify sends it (ids unquoted, beyond 2^53). */
  body: string;
  orderId: string;
  topic?: string;
  webhookId?: string;
  /** Pins the partition (otherwise the key decides), so a test knows every message's offset. */
  partition?: number;
  /** A W3C traceparent, as the gateway sets one. */
  traceparent?: string;
}

export interface Produced {
  webhookId: string;
  partition: number;
  offset: bigint;
}

/** Produces webhooks the way the gateway does: raw body as value, envelope in headers. */
export async function produceWebhooks(
  producer: Producer,
  webhooks: OrderWebhook[],
): Promise<string[]> {
  return (await produceWebhooksAt(producer, webhooks)).map((m) => m.webhookId);
}

/**
 * Like `produceWebhooks`, also telling where each message landed. Every message must name its
 * partition: one request writes a partition's messages as one contiguous batch, so the k-th
 * message for partition p sits at that partition's base offset + k.
 */
export async function produceWebhooksAt(
  producer: Producer,
  webhooks: OrderWebhook[],
): Promise<Produced[]> {
  const produced: { webhookId: string; partition: number | undefined }[] = [];
  const records = await producer.send({
    topic: ShopifyKafkaTopic.Orders,
    acks: -1,
    messages: webhooks.map((webhook) => {
      const webhookId = webhook.webhookId ?? randomUUID();
      produced.push({ webhookId, partition: webhook.partition });
      return {
        key: messageKey(webhook.shop, webhook.orderId),
        partition: webhook.partition,
        value: Buffer.from(webhook.body, 'utf8'),
        headers: {
          ...envelopeHeaders({
            webhookId,
            eventId: randomUUID(),
            shopifyTopic: webhook.topic ?? 'orders/updated',
            shopDomain: webhook.shop,
            apiVersion: '2026-10',
            triggeredAt: new Date().toISOString(),
            receivedAt: new Date().toISOString(),
          }),
          ...(webhook.traceparent ? { traceparent: webhook.traceparent } : {}),
        },
      };
    }),
  });
  const next = new Map(records.map((r) => [r.partition, BigInt(r.baseOffset ?? '-1')]));
  return produced.map(({ webhookId, partition }) => {
    if (partition === undefined) return { webhookId, partition: -1, offset: -1n };
    const offset = next.get(partition)!;
    next.set(partition, offset + 1n);
    return { webhookId, partition, offset };
  });
}

export async function partitionCount(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [ShopifyKafkaTopic.Orders] });
    return metadata.topics[0].partitions.length;
  } finally {
    await admin.disconnect();
  }
}

/** An orders/* payload as raw JSON text; numbers written unquoted like Shopify does. */
export function orderBody(options: {
  id: string;
  /** The name the shop shows; `#1001` unless given. */
  name?: string;
  updatedAt: string;
  totalPrice?: string;
  financialStatus?: string;
  fulfillmentStatus?: string | null;
  createdAt?: string;
  cancelledAt?: string | null;
  email?: string;
  customer?: { id: string; email: string; firstName: string; lastName: string; phone: string };
  lineItemIds?: string[];
}): string {
  const lines = (options.lineItemIds ?? []).map(
    (lineId, index) =>
      `{"id":${lineId},"product_id":632910392,"variant_id":${BigInt(lineId) + 1n},"sku":"SKU-${index}",` +
      `"title":"Item ${index}","quantity":${index + 1},"price":"99.50"}`,
  );
  const c = options.customer;
  const customer = c
    ? `,"customer":{"id":${c.id},"email":${JSON.stringify(c.email)},"first_name":${JSON.stringify(c.firstName)},` +
      `"last_name":${JSON.stringify(c.lastName)},"phone":${JSON.stringify(c.phone)},"state":"enabled"}`
    : '';
  const cancelled = options.cancelledAt ? `"${options.cancelledAt}"` : 'null';
  const fulfillment = options.fulfillmentStatus ? `"${options.fulfillmentStatus}"` : 'null';
  return (
    `{"id":${options.id},"admin_graphql_api_id":"gid://shopify/Order/${options.id}","name":${JSON.stringify(options.name ?? '#1001')},` +
    `"order_number":1001,"email":${JSON.stringify(options.email ?? c?.email ?? 'buyer@example.com')},"currency":"USD",` +
    `"financial_status":"${options.financialStatus ?? 'pending'}","fulfillment_status":${fulfillment},` +
    `"total_price":"${options.totalPrice ?? '199.65'}","subtotal_price":"199.00","total_tax":"0.65",` +
    `"total_discounts":"0.00","created_at":"${options.createdAt ?? '2026-10-01T12:00:00-04:00'}","updated_at":"${options.updatedAt}",` +
    `"cancelled_at":${cancelled},"cancel_reason":${options.cancelledAt ? '"customer"' : 'null'},` +
    `"line_items":[${lines.join(',')}]${customer}}`
  );
}

/** Produces compliance webhooks (customers/redact, shop/redact, …) as the gateway does. */
export async function produceCompliance(
  producer: Producer,
  webhooks: { shop: string; topic: string; body: string; key?: string; webhookId?: string }[],
): Promise<string[]> {
  const ids: string[] = [];
  await producer.send({
    topic: ShopifyKafkaTopic.Compliance,
    acks: -1,
    messages: webhooks.map((webhook) => {
      const webhookId = webhook.webhookId ?? randomUUID();
      ids.push(webhookId);
      return {
        key: webhook.key ?? webhook.shop,
        value: Buffer.from(webhook.body, 'utf8'),
        headers: envelopeHeaders({
          webhookId,
          eventId: randomUUID(),
          shopifyTopic: webhook.topic,
          shopDomain: webhook.shop,
          apiVersion: '2026-10',
          triggeredAt: new Date().toISOString(),
          receivedAt: new Date().toISOString(),
        }),
      };
    }),
  });
  return ids;
}
