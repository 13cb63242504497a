import { loadConfig } from '@shopwire/config';
import { DomainEventHeader, SUBSCRIPTIONS, type OrderData } from '@shopwire/contracts';
import { createKafkaClient } from '@shopwire/kafka';
import { createLogger } from '@shopwire/observability';
import {
  resetServiceSchema,
  startGroupAtEnd as startGroupAtEndOf,
  startServiceApp,
  TEST_DATABASE_URL,
  type RunningServiceApp,
  type Webhook,
} from '@shopwire/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../src/app.module';
import { inventoryConfigSchema } from '../src/config';
import { createInventoryDataSource, runInventoryMigrations } from '../src/database/migrate';

export { metricValue, produceWebhooks, uniqueShop, waitFor, type Webhook } from '@shopwire/testing';

export const DATABASE_URL = TEST_DATABASE_URL;
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TOKEN = 'inventory-test-token-0123456789';
export const logger = createLogger('inventory-test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** Drops the inventory schema and migrates it from scratch, so every run starts from nothing. */
export function resetSchema(): Promise<void> {
  return resetServiceSchema({
    schema: 'inventory',
    createDataSource: createInventoryDataSource,
    runMigrations: runInventoryMigrations,
  });
}

export function testKafka(): Kafka {
  return createKafkaClient({ brokers: KAFKA_BROKERS.split(','), clientId: 'inventory-it', logger });
}

/** A fresh group starting at the end of every topic inventory reads. */
export function startGroupAtEnd(kafka: Kafka, groupId: string): Promise<void> {
  return startGroupAtEndOf(kafka, groupId, SUBSCRIPTIONS.inventory);
}

/** The app with its consumer transport started (one consumer, group `inventory`). */
export type RunningApp = RunningServiceApp;

export function startApp(groupId: string, env: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadConfig(inventoryConfigSchema, {
    DATABASE_URL,
    KAFKA_BROKERS,
    API_TOKENS: `it:${TOKEN}`,
    INVENTORY_CONSUMER_GROUP: groupId,
    LOG_LEVEL: 'warn',
    ...env,
  });
  return startServiceApp({
    module: AppModule.register(config, logger),
    title: 'inventory (test)',
    logger,
    token: TOKEN,
  });
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
  /**
   * The webhook that caused it. When set, the message carries the headers the order service's
   * outbox writes (event id, type, causation); without, only its value (an older publisher's).
   */
  causationId?: string;
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
    causationId: spec.causationId ?? null,
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
        .map((p) => ({
          key: `${p.spec.shop}/${p.spec.orderId}`,
          value: p.value,
          ...(p.spec.causationId
            ? {
                headers: {
                  [DomainEventHeader.EventId]: p.eventId,
                  [DomainEventHeader.EventType]: `orders.order.${p.spec.kind}`,
                  [DomainEventHeader.CausationId]: p.spec.causationId,
                },
              }
            : {}),
        })),
    })),
  });
  return produced.map((p) => p.eventId);
}
