import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { deadLetterTopicOf, retryTopicOf } from '@shopwire/contracts';
import { claimInbox, createSchemaDataSource, withTransaction } from '@shopwire/database';
import {
  API_CREDENTIALS,
  API_TOKENS,
  ApiAccessGuard,
  createHttpApp,
  METRICS_REGISTRY,
} from '@shopwire/http';
import {
  BatchingProducer,
  ConsumerRunner,
  PoisonMessageError,
  provisionTopics,
} from '@shopwire/kafka';
import { NestPinoLogger } from '@shopwire/observability';
import { attackCredentials, headerValue, testKafka } from '@shopwire/testing';
import { apiCredentials } from '@shopwire/config';
import type { Admin, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { DeadLettersModule } from '../src/dead-letters.module';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TOKEN = 'dead-letters-test-token-0123456789';
export const quiet = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * One test file's world: throwaway topics (source, its DLQ, the group's retry topic), a schema
 * `dlq_test_<id>` with an inbox and an effects table, a runner whose handler applies each message
 * once through the inbox — and fails "poison" messages until `fixed` is set — and a Nest app
 * serving the dead-letters API behind the bearer guard.
 */
export class DeadLettersWorld {
  readonly id = randomUUID().slice(0, 8);
  readonly group = `dlqit-${this.id}`;
  readonly source = `dlqit.${this.id}.events.v1`;
  readonly dlq = deadLetterTopicOf(this.source);
  readonly retry = retryTopicOf(this.group);
  readonly schema = `dlq_test_${this.id}`;
  readonly shop = `t-${this.id}.myshopify.com`;
  readonly otherShop = `o-${this.id}.myshopify.com`;
  /** Scoped credentials beside TOKEN: another shop's (every scope), this shop's metadata reader. */
  readonly credentials = attackCredentials(this.otherShop, [
    { name: 'shop-reader', shops: [this.shop], scopes: ['dead-letters:read'] },
  ]);
  readonly kafka: Kafka = testKafka(`dlq-it-${this.id}`);
  readonly registry = new Registry();
  fixed = false;
  admin!: Admin;
  dataSource!: DataSource;
  producer!: BatchingProducer;
  runner!: ConsumerRunner;
  app!: NestFastifyApplication;

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await provisionTopics(
      this.admin,
      [this.source, this.dlq, this.retry].map((topic) => ({
        topic,
        partitions: 2,
        replicationFactor: 1,
      })),
    );
    this.dataSource = createSchemaDataSource({
      url: DATABASE_URL,
      schema: this.schema,
      poolSize: 4,
    });
    await this.dataSource.initialize();
    await this.dataSource.query(`CREATE SCHEMA "${this.schema}"`);
    await this.dataSource.query(
      `CREATE TABLE "${this.schema}".inbox (consumer text NOT NULL, event_id text NOT NULL,
         processed_at timestamptz NOT NULL, PRIMARY KEY (consumer, event_id))`,
    );
    // No unique key on purpose: an effect applied twice would show up as two rows.
    await this.dataSource.query(
      `CREATE TABLE "${this.schema}".effects (event_id text NOT NULL, value text NOT NULL)`,
    );
    this.producer = new BatchingProducer(this.kafka, quiet);
    await this.producer.connect();
    this.runner = new ConsumerRunner({
      kafka: this.kafka,
      groupId: `${this.group}-consumer`,
      topics: [this.source],
      logger: quiet,
      maxChunk: 10,
      retryBaseMs: 10,
      retryCapMs: 50,
      handleBatch: (messages) =>
        withTransaction(this.dataSource, async (manager) => {
          for (const message of messages) {
            const value = String(message.value);
            if (!this.fixed && value.startsWith('poison')) {
              throw new PoisonMessageError('the handler cannot apply this message yet');
            }
            const eventId = headerValue(message, 'shopify-webhook-id')!;
            if (await claimInbox(manager, 'dlq-it', eventId)) {
              await manager.query(
                `INSERT INTO "${this.schema}".effects (event_id, value) VALUES ($1, $2)`,
                [eventId, value],
              );
            }
          }
        }),
      deadLetters: {
        group: this.group,
        producer: this.producer,
        maxAttempts: 2,
        retryDelayBaseMs: 100,
        registry: this.registry,
      },
    });
    await this.runner.start();
    this.app = await this.startApi();
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.runner?.stop();
    await this.producer?.close();
    await this.dataSource?.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
    await this.dataSource?.destroy();
    await this.admin
      ?.deleteTopics({ topics: [this.source, this.dlq, this.retry] })
      .catch(() => undefined);
    await this.admin?.disconnect();
  }

  async produce(values: string[]): Promise<Map<string, string>> {
    const ids = new Map(values.map((value) => [value, randomUUID()]));
    await this.producer.connect();
    await Promise.all(
      values.map((value, i) =>
        this.producer.send({
          topic: this.source,
          key: `${this.shop}/${i}`,
          value: Buffer.from(value),
          headers: { 'shopify-webhook-id': ids.get(value)!, 'shopify-shop-domain': this.shop },
        }),
      ),
    );
    return ids;
  }

  /** Rows of the effects table per value. */
  async effects(): Promise<Map<string, number>> {
    const rows: { value: string; n: string }[] = await this.dataSource.query(
      `SELECT value, count(*) AS n FROM "${this.schema}".effects GROUP BY value`,
    );
    return new Map(rows.map((r) => [r.value, Number(r.n)]));
  }

  private async startApi(): Promise<NestFastifyApplication> {
    const { group, source, kafka, registry } = this;
    // What an app's @Global CoreModule provides.
    @Global()
    @Module({
      providers: [
        { provide: API_TOKENS, useValue: new Map([[TOKEN, 'ops']]) },
        { provide: API_CREDENTIALS, useValue: apiCredentials.parse(this.credentials.env) },
        { provide: METRICS_REGISTRY, useValue: registry },
      ],
      exports: [API_TOKENS, API_CREDENTIALS, METRICS_REGISTRY],
    })
    class TestCore {}
    @Module({
      imports: [
        TestCore,
        DeadLettersModule.forService({
          group,
          topics: [source],
          kafka,
          depthRefreshMs: 0,
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    })
    class TestApp {}
    const app = await createHttpApp(TestApp, {
      title: 'dead-letters test',
      description: 'test',
      logger: new NestPinoLogger(quiet),
      bearerAuth: true,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }
}
