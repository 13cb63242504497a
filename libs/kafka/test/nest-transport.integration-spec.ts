import {
  Controller,
  Injectable,
  Module,
  type INestApplication,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { waitFor } from '@shopwire/testing';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';
import { FailureHeader } from '../src/dead-letter-headers';
import { ChunkConsumerTransport, ConsumeChunks, type ConsumerChunk } from '../src/nest';
import { DeadLetterTopics, quietLogger, RecordingPublisher } from './dead-letter-harness';

/**
 * The Nest transport against the real broker: handlers found through `@ConsumeChunks`, the
 * unified metrics, readiness from the broker's view of the group, the boot without a broker, and
 * Nest's shutdown order — the in-flight chunk commits, then the transport stops, and only then
 * does `onApplicationShutdown` (where the services close their pool) run.
 */

/** Throwaway topics and group, named before the decorated class below reads them. */
const topics = new DeadLetterTopics();

/** What happened, in order, across the handler and the app's lifecycle hooks. */
const events: string[] = [];
let slowMs = 0;

@Controller()
class TestConsumer {
  @ConsumeChunks({ group: topics.group, topics: [topics.source] })
  async handle(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    events.push(`chunk-start:${messages.length}`);
    if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, slowMs));
    for (const message of messages) {
      const value = String(message.value);
      if (value === 'bad') chunk.rejected(message, 'payload', 'not a test event');
      else if (value === 'other') chunk.ignored('other_family');
      else if (value === 'boom-once' && !events.includes('boomed')) {
        events.push('boomed');
        throw new Error('simulated outage');
      }
    }
    events.push(`chunk-end:${messages.at(-1)!.offset}`);
  }
}

/** Stands in for the services' data source: closed in `onApplicationShutdown`. */
@Injectable()
class Lifecycle implements OnModuleDestroy, OnApplicationShutdown {
  onModuleDestroy(): void {
    events.push('module-destroy');
  }
  onApplicationShutdown(): void {
    events.push('application-shutdown');
  }
}

@Module({ controllers: [TestConsumer], providers: [Lifecycle] })
class TestModule {}

/** A lib's handler whose group id, topics and failure path come from `configureGroup`. */
const PLAIN_GROUP = `${topics.group}-plain`;

@Controller()
class PlainConsumer {
  @ConsumeChunks({ group: PLAIN_GROUP, topics: [] })
  async handle(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    for (const message of messages) {
      const value = String(message.value);
      if (value === 'bad') events.push(`rejected:${chunk.rejected(message, 'payload')}`);
      else if (value === 'boom-once' && !events.includes('boomed')) {
        events.push('boomed');
        throw new Error('simulated outage');
      }
    }
  }
}

@Module({ controllers: [PlainConsumer] })
class PlainModule {}

async function startApp(
  transport: ChunkConsumerTransport,
  module: typeof TestModule | typeof PlainModule = TestModule,
): Promise<INestApplication> {
  const app = await NestFactory.create(module, new FastifyAdapter(), { logger: false });
  await app.init();
  app.connectMicroservice({ strategy: transport });
  await app.startAllMicroservices();
  return app;
}

function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  return Promise.resolve(registry.getSingleMetric(name)?.get()).then((m) =>
    (m?.values ?? [])
      .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
      .reduce((sum, v) => sum + v.value, 0),
  );
}

describe('ChunkConsumerTransport (Nest microservice)', () => {
  let publisher: RecordingPublisher;

  beforeAll(async () => {
    await topics.create(1);
    publisher = new RecordingPublisher(topics.kafka);
  });

  afterAll(async () => {
    await publisher.producer.close();
    await topics.close();
  });

  beforeEach(() => {
    events.length = 0;
    slowMs = 0;
  });

  it('runs the decorated handler, counts outcomes once, dead-letters the rejected, and is ready in the broker view', async () => {
    const registry = new Registry();
    const transport = new ChunkConsumerTransport({
      kafka: topics.kafka,
      logger: quietLogger,
      producer: publisher,
      registry,
      groups: { [topics.group]: { retryBaseMs: 10, retryCapMs: 50 } },
    });
    const app = await startApp(transport);
    try {
      await waitFor(() => transport.readiness().then(() => true), {
        timeoutMs: 60_000,
        what: 'readiness from describeGroups',
      });
      expect(transport.statuses).toEqual([
        expect.objectContaining({ group: topics.group, groupId: topics.group, joined: true }),
      ]);
      await topics.produce(
        ['ok-1', 'bad', 'other', 'boom-once', 'ok-2'].map((value, i) => ({
          key: 'k',
          value: `${value}`,
          headers: { i: String(i) },
        })),
      );
      await waitFor(
        async () => (await topics.committed(topics.group, topics.source)).get(0) === '5',
        { timeoutMs: 60_000, what: 'all five committed' },
      );
      const labels = { group: topics.group, topic: topics.source };
      expect(await metric(registry, 'shopwire_consumer_messages_processed_total', labels)).toBe(4);
      // The failed attempt's outcomes are not counted: one bad and one other, once each.
      expect(
        await metric(registry, 'shopwire_consumer_messages_rejected_total', {
          ...labels,
          reason: 'payload',
        }),
      ).toBe(1);
      expect(
        await metric(registry, 'shopwire_consumer_messages_ignored_total', {
          ...labels,
          reason: 'other_family',
        }),
      ).toBe(1);
      expect(
        await metric(registry, 'shopwire_consumer_retries_in_place_total', labels),
      ).toBeGreaterThanOrEqual(1);
      expect(
        await metric(registry, 'shopwire_consumer_handler_duration_seconds', labels),
      ).toBeGreaterThan(0);
      const dead = publisher.to(topics.deadLetters);
      expect(dead).toHaveLength(1);
      expect(String(dead[0].message.value)).toBe('bad');
      const reason = dead[0].message.headers?.[FailureHeader.DeadLetterReason];
      expect(String(reason)).toBe('malformed:payload');
    } finally {
      await app.close();
    }
  });

  it('on close, commits the in-flight chunk and stops before onApplicationShutdown', async () => {
    const registry = new Registry();
    const transport = new ChunkConsumerTransport({
      kafka: topics.kafka,
      logger: quietLogger,
      producer: publisher,
      registry,
    });
    const app = await startApp(transport);
    await waitFor(() => transport.statuses.every((s) => s.joined), {
      timeoutMs: 60_000,
      what: 'joined',
    });
    const before = Number((await topics.committed(topics.group, topics.source)).get(0));
    slowMs = 1500;
    await topics.produce([{ key: 'k', value: 'ok-slow' }]);
    await waitFor(() => events.some((e) => e.startsWith('chunk-start')), {
      timeoutMs: 60_000,
      what: 'the slow chunk in flight',
    });
    await app.close();
    // The chunk ended (and committed) while the app was closing, after every onModuleDestroy and
    // before onApplicationShutdown — where ServiceCoreModule closes the database pool.
    expect(events).toEqual([
      'chunk-start:1',
      'module-destroy',
      `chunk-end:${before}`,
      'application-shutdown',
    ]);
    expect((await topics.committed(topics.group, topics.source)).get(0)).toBe(String(before + 1));
    expect(transport.statuses).toEqual([]);
  });

  it('starts without a broker: listen returns, readiness says not ready, close returns', async () => {
    const unreachable = new Kafka({
      clientId: 'nest-transport-down',
      brokers: ['127.0.0.1:1'],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 200,
      retry: { retries: 0 },
    });
    const transport = new ChunkConsumerTransport({
      kafka: unreachable,
      logger: quietLogger,
      producer: publisher,
      registry: new Registry(),
    });
    const started = Date.now();
    const app = await startApp(transport);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(transport.readiness()).rejects.toThrow(/not running|not joined/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(transport.statuses[0]).toEqual(expect.objectContaining({ joined: false }));
    const closing = Date.now();
    await app.close();
    expect(Date.now() - closing).toBeLessThan(5_000);
  });

  // Last: what it produces would otherwise reach the other group's chunks in the tests above.
  it('runs a group configured with its own topics and without dead letters: failures retry in place, rejected only counts', async () => {
    const registry = new Registry();
    const transport = new ChunkConsumerTransport({
      kafka: topics.kafka,
      logger: quietLogger,
      producer: publisher,
      registry,
    });
    const groupId = `${PLAIN_GROUP}-id`;
    transport.configureGroup(PLAIN_GROUP, {
      groupId,
      topics: [topics.source],
      deadLetters: false,
      retryBaseMs: 10,
      retryCapMs: 50,
    });
    const deadBefore = publisher.sent.length;
    const app = await startApp(transport, PlainModule);
    try {
      await waitFor(() => transport.readiness().then(() => true), {
        timeoutMs: 60_000,
        what: 'readiness of the plain group',
      });
      expect(() => transport.configureGroup(PLAIN_GROUP, {})).toThrow(/already running/);
      const end = Number((await topics.committed(topics.group, topics.source)).get(0));
      await topics.produce(['bad', 'boom-once'].map((value) => ({ key: 'k', value })));
      // Its own group reads the topic from the beginning: everything produced so far.
      await waitFor(
        async () =>
          Number((await topics.committed(groupId, topics.source)).get(0)) >= Math.max(end, 0) + 2,
        { timeoutMs: 60_000, what: 'the plain group committed past both' },
      );
      const labels = { group: PLAIN_GROUP, topic: topics.source };
      expect(events).toContain('rejected:false');
      expect(
        await metric(registry, 'shopwire_consumer_messages_rejected_total', labels),
      ).toBeGreaterThanOrEqual(1);
      expect(
        await metric(registry, 'shopwire_consumer_retries_in_place_total', {
          ...labels,
          kind: 'unbounded',
        }),
      ).toBe(1);
      // Nothing parked: no retry topic, no DLQ for this group.
      expect(publisher.sent.length).toBe(deadBefore);
    } finally {
      await app.close();
    }
  });
});
