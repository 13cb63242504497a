import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { envelopeHeaders, messageKey } from '@shopwire/contracts';
import { createHttpApp, METRICS_REGISTRY } from '@shopwire/http';
import { ChunkConsumerTransport } from '@shopwire/kafka';
import { NestPinoLogger, type Logger, type Registry } from '@shopwire/observability';
import { startConsumers } from '@shopwire/service-runtime';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { waitFor } from './wait';

/**
 * The parts of a consumer service's integration-test harness that do not depend on the
 * service: a fresh schema, consumer groups that start at the topics' end, the real app in this
 * process, and webhooks produced the way the gateway writes them.
 */

export const TEST_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Drops a service's schema and migrates it from scratch, so every run starts from nothing. */
export async function resetServiceSchema(options: {
  schema: string;
  createDataSource: (options: { url: string; poolSize: number }) => DataSource;
  runMigrations: (dataSource: DataSource) => Promise<string[]>;
}): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.schema))
    throw new Error(`bad schema name ${options.schema}`);
  const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS ${options.schema} CASCADE`);
  await pool.end();
  const dataSource = options.createDataSource({ url: TEST_DATABASE_URL, poolSize: 2 });
  await dataSource.initialize();
  try {
    await options.runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * A database of its own on the test server, dropped and made again: a suite running several
 * services (each migrating its schema at start) sees no other suite's rows. Answers its URL.
 */
export async function freshDatabase(name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const admin = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function uniqueShop(): string {
  return `t-${randomUUID().slice(0, 8)}.myshopify.com`;
}

export interface RunningServiceApp {
  app: NestFastifyApplication;
  registry: Registry;
  /** The service's consumer transport (its `@ConsumeChunks` handlers, one status per group). */
  consumers: ChunkConsumerTransport;
  // Test assertions read response JSON freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get(path: string, token?: string | null): Promise<{ statusCode: number; json: () => any }>;
  close(): Promise<void>;
}

interface ServiceAppOptions {
  module: DynamicModule;
  title: string;
  logger: Logger;
  token: string;
}

/**
 * The real service app in this process, its consumers started as main.ts starts them
 * (`startConsumers`), once every consumer group has joined.
 */
export async function startServiceApp(options: ServiceAppOptions): Promise<RunningServiceApp> {
  const app = await createHttpApp(options.module, {
    title: options.title,
    description: 'test',
    logger: new NestPinoLogger(options.logger),
    bearerAuth: true,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const consumers = await startConsumers(app);
  await waitFor(
    () => consumers.statuses.length > 0 && consumers.statuses.every((s) => s.joined),
    'every consumer joined its group',
  );
  return {
    app,
    consumers,
    registry: app.get<Registry>(METRICS_REGISTRY),
    async get(path, token = options.token) {
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
