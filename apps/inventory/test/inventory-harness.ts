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
import { inventoryConfigSchema } from '../src/config';
import { createInventoryDataSource, runInventoryMigrations } from '../src/database/migrate';
import { INVENTORY_TOPICS, InventoryConsumer } from '../src/levels/inventory.consumer';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TOKEN = 'inventory-test-token-0123456789';
export const logger = createLogger('inventory-test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** Drops the inventory schema and migrates it from scratch, so every run starts from nothing. */
export async function resetSchema(): Promise<void> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  await pool.query('DROP SCHEMA IF EXISTS inventory CASCADE');
  await pool.end();
  const dataSource = createInventoryDataSource({ url: DATABASE_URL, poolSize: 2 });
  await dataSource.initialize();
  try {
    await runInventoryMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export function testKafka(): Kafka {
  return createKafkaClient({ brokers: KAFKA_BROKERS.split(','), clientId: 'inventory-it', logger });
}

/**
 * Points a fresh group at the current end of every topic it reads (topics are pre-provisioned
 * and shared), so a test consumes what it produces, not other suites' backlog.
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of INVENTORY_TOPICS) {
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
  consumer: InventoryConsumer;
  get(path: string, token?: string | null): Promise<{ statusCode: number; json: () => unknown }>;
  close(): Promise<void>;
}

export async function startApp(
  groupId: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const config = loadConfig(inventoryConfigSchema, {
    DATABASE_URL,
    KAFKA_BROKERS,
    API_TOKENS: `it:${TOKEN}`,
    INVENTORY_CONSUMER_GROUP: groupId,
    LOG_LEVEL: 'warn',
    ...env,
  });
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'inventory (test)',
    description: 'test',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const consumer = app.get(InventoryConsumer);
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

export function levelWebhook(
  shop: string,
  itemId: string,
  locationId: string,
  available: number,
  updatedAt: string,
  webhookId?: string,
): Webhook {
  return {
    shop,
    shopifyTopic: 'inventory_levels/update',
    resourceId: itemId,
    webhookId,
    body:
      `{"inventory_item_id":${itemId},"location_id":${locationId},"available":${available},` +
      `"updated_at":"${updatedAt}","admin_graphql_api_id":"gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${itemId}"}`,
  };
}

export function itemWebhook(shop: string, itemId: string, sku: string, updatedAt: string): Webhook {
  return {
    shop,
    shopifyTopic: 'inventory_items/update',
    resourceId: itemId,
    body: `{"id":${itemId},"sku":"${sku}","tracked":true,"created_at":"2026-01-01T00:00:00Z","updated_at":"${updatedAt}"}`,
  };
}

export interface OrderEventSpec {
  kind: 'accepted' | 'cancelled';
  shop: string;
  orderId: string;
  lines: { sku: string | null; quantity: number; variantId?: string }[];
  eventId?: string;
}

/** An order domain event value, as the order service's outbox would publish it. */
export function orderEventValue(spec: OrderEventSpec): { eventId: string; value: string } {
  const eventId = spec.eventId ?? randomUUID();
  const updatedAt = spec.kind === 'accepted' ? '2026-11-27T10:00:00Z' : '2026-11-27T11:00:00Z';
  const order: OrderData = {
    id: spec.orderId,
    name: '#1001',
    orderNumber: '1001',
    email: null,
    customer: null,
    currency: 'USD',
    financialStatus: 'paid',
    fulfillmentStatus: null,
    totalPrice: '10.00',
    subtotalPrice: '10.00',
    totalTax: '0.00',
    totalDiscounts: '0.00',
    createdAt: '2026-11-27T10:00:00Z',
    updatedAt,
    cancelledAt: spec.kind === 'cancelled' ? updatedAt : null,
    cancelReason: spec.kind === 'cancelled' ? 'customer' : null,
    test: false,
    lineItems: spec.lines.map((line, index) => ({
      id: String(BigInt(spec.orderId) + BigInt(index) + 1n),
      productId: '632910392',
      variantId: line.variantId ?? String(9007199254740993n + BigInt(index)),
      sku: line.sku,
      title: `Item ${index}`,
      quantity: line.quantity,
      price: '5.00',
    })),
  };
  const value = {
    eventId,
    type: `orders.order.${spec.kind}`,
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    shopDomain: spec.shop,
    aggregateId: spec.orderId,
    aggregateVersion: updatedAt,
    causationId: null,
    data: { order },
  };
  return { eventId, value: JSON.stringify(value) };
}

/** Produces order events to their topics; a spec with an `eventId` is a redelivery of it. */
export async function produceOrderEvents(
  producer: Producer,
  specs: OrderEventSpec[],
): Promise<string[]> {
  const produced = specs.map((spec) => ({ spec, ...orderEventValue(spec) }));
  await producer.sendBatch({
    acks: -1,
    topicMessages: (['accepted', 'cancelled'] as const).map((kind) => ({
      topic: `orders.order.${kind}.v1`,
      messages: produced
        .filter((p) => p.spec.kind === kind)
        .map((p) => ({ key: `${p.spec.shop}/${p.spec.orderId}`, value: p.value })),
    })),
  });
  return produced.map((p) => p.eventId);
}
