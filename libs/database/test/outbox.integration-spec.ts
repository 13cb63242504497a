import { provisionTopics } from '@shopwire/kafka';
import { createLogger, createMetricsRegistry } from '@shopwire/observability';
import { collectMessages, testKafka, waitFor, type CollectedMessage } from '@shopwire/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  createSchemaDataSource,
  enqueueOutbox,
  kafkaOutboxPublisher,
  OutboxRelay,
  outboxTableSql,
  withTransaction,
  type OutboxPublisher,
} from '../src';

// Real Postgres (db `test`) and the shared Kafka broker. Everything here is this file's own: a
// throwaway schema and a throwaway topic, both removed afterwards.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = randomUUID().slice(0, 8);
const schema = `outbox_test_${suffix}`;
const topic = `shopwire.outbox-test-${suffix}.v1`;
const logger = createLogger('outbox-test', process.env.TEST_LOG_LEVEL ?? 'warn');

let dataSource: DataSource;
let kafka: Kafka;
let producer: Producer;
let publisher: OutboxPublisher;
const relays: OutboxRelay[] = [];

function relay(overrides: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay {
  const r = new OutboxRelay({
    dataSource,
    publisher,
    logger,
    pollIntervalMs: 5000, // long on purpose: the tests show NOTIFY, not polling, keeps latency low
    batchSize: 50,
    standbyRetryMs: 200,
    backoffBaseMs: 20,
    backoffCapMs: 200,
    ...overrides,
  });
  relays.push(r);
  r.start();
  return r;
}

/** One event: the value carries an eventId, as every domain event does. */
function event(
  key: string,
  seq: number,
): { topic: string; key: string; value: string; headers: Record<string, string> } {
  const eventId = randomUUID();
  return {
    topic,
    key,
    value: JSON.stringify({ eventId, key, seq }),
    headers: { 'shopwire-event-id': eventId },
  };
}

const parsed = (m: CollectedMessage) =>
  JSON.parse(m.message.value!.toString()) as { eventId: string; key: string; seq: number };

function collect(done: (messages: CollectedMessage[]) => boolean, timeoutMs = 20_000) {
  return collectMessages(kafka, topic, { done, timeoutMs });
}

beforeAll(async () => {
  dataSource = createSchemaDataSource({
    url: DATABASE_URL,
    schema,
    poolSize: 4,
    applicationName: `outbox-test-${suffix}`,
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  for (const sql of outboxTableSql(schema).up) await dataSource.query(sql);
  await dataSource.query(`CREATE TABLE "${schema}".effects (id text PRIMARY KEY)`);
  kafka = testKafka('outbox-it');
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, [{ topic, partitions: 3, replicationFactor: 1 }]);
  await admin.disconnect();
  producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  publisher = kafkaOutboxPublisher(producer);
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
});

afterAll(async () => {
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  if (dataSource?.isInitialized) {
    await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await dataSource.destroy();
  }
});

describe('transactional outbox', () => {
  it('publishes what committed with its effect, nothing of a rolled-back transaction, within tens of ms', async () => {
    relay();
    await waitFor(() => relays[0].status.leader, { what: 'relay leads' });
    const committed = event('shop-a/1', 1);
    const rolledBack = event('shop-a/2', 1);
    await expect(
      withTransaction(dataSource, async (manager) => {
        await manager.query(`INSERT INTO "${schema}".effects (id) VALUES ('rolled-back')`);
        await enqueueOutbox(manager, [rolledBack]);
        throw new Error('the effect failed');
      }),
    ).rejects.toThrow('the effect failed');
    const started = Date.now();
    await withTransaction(dataSource, async (manager) => {
      await manager.query(`INSERT INTO "${schema}".effects (id) VALUES ('committed')`);
      await enqueueOutbox(manager, [committed]);
    });
    await waitFor(
      async () =>
        (await dataSource.query(`SELECT 1 FROM "${schema}".outbox WHERE sent_at IS NOT NULL`))
          .length === 1,
      { what: 'row marked sent', intervalMs: 5 },
    );
    // Woken by NOTIFY: well under the 5 s poll interval.
    expect(Date.now() - started).toBeLessThan(1000);
    const messages = await collect(
      (all) => all.some((m) => m.message.key?.toString() === 'shop-a/1'),
      10_000,
    );
    expect(messages.map((m) => m.message.key?.toString())).toEqual(['shop-a/1']);
    expect(messages[0].message.value!.toString()).toBe(committed.value);
    expect(messages[0].message.headers?.['shopwire-event-id']?.toString()).toBe(
      committed.headers['shopwire-event-id'],
    );
    expect(await dataSource.query(`SELECT id FROM "${schema}".effects`)).toEqual([
      { id: 'committed' },
    ]);
  });

  it('keeps each key in order across batches, backs off while Kafka fails, and resumes after a restart without loss', async () => {
    await dataSource.query(`DELETE FROM "${schema}".outbox`);
    const from = await topicEnd();
    let failuresLeft = 3;
    const flaky: OutboxPublisher = {
      publish: (messages) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          return Promise.reject(new Error('broker unavailable (simulated)'));
        }
        return publisher.publish(messages);
      },
    };
    const keys = Array.from({ length: 8 }, (_, i) => `shop-b/${i}`);
    const enqueueRound = async (round: number) => {
      // Several transactions, each a few keys' next event.
      for (let t = 0; t < 5; t++) {
        await withTransaction(dataSource, (manager) =>
          enqueueOutbox(
            manager,
            keys.map((key) => event(key, round * 5 + t)),
          ),
        );
      }
    };
    await enqueueRound(0); // 40 rows before any relay runs
    const first = relay({ publisher: flaky });
    await waitFor(() => failuresLeft === 0, { what: 'publish failures' });
    await waitFor(async () => (await unsent()) === 0, { what: 'first batch after the failures' });
    const failedRows = await dataSource.query(`SELECT max(attempts) AS a FROM "${schema}".outbox`);
    expect(Number(failedRows[0].a)).toBeGreaterThanOrEqual(4);
    expect(first.status).toMatchObject({ consecutiveFailures: 0, healthy: true, lastError: null });
    await first.stop();
    await enqueueRound(1); // written while no relay runs
    relay();
    await enqueueRound(2);
    await waitFor(async () => (await unsent()) === 0, {
      what: 'everything sent after the restart',
    });

    const messages = await collectMessages(kafka, topic, {
      from,
      done: (all) => all.length >= 120,
      timeoutMs: 20_000,
    });
    expect(messages).toHaveLength(120);
    for (const key of keys) {
      const seqs = messages
        .filter((m) => m.message.key?.toString() === key)
        .map((m) => parsed(m).seq);
      expect(seqs).toEqual(Array.from({ length: 15 }, (_, i) => i));
    }
  });

  it('keeps rows while Kafka is unreachable (real client), reports unhealthy, and publishes them later in order', async () => {
    await dataSource.query(`DELETE FROM "${schema}".outbox`);
    const from = await topicEnd();
    // A real kafkajs producer whose broker does not answer: what a Kafka outage looks like to
    // the relay (the shared broker itself must not be stopped).
    const nowhere = new Kafka({
      clientId: 'outbox-it-down',
      brokers: ['127.0.0.1:1'],
      connectionTimeout: 200,
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
      logLevel: logLevel.NOTHING,
    }).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    const sent = [event('shop-f/1', 0), event('shop-f/1', 1), event('shop-f/1', 2)];
    await withTransaction(dataSource, (manager) => enqueueOutbox(manager, sent));
    const down = relay({ publisher: kafkaOutboxPublisher(nowhere) });
    await waitFor(() => down.status.consecutiveFailures >= 3, { what: 'failures piling up' });
    expect(down.status).toMatchObject({ healthy: false, leader: true });
    expect(down.status.lastError).toMatch(/Connection|connect/i);
    expect(await unsent()).toBe(3);
    await down.stop();
    await nowhere.disconnect().catch(() => undefined);
    relay();
    await waitFor(async () => (await unsent()) === 0, { what: 'published once Kafka is back' });
    const messages = await collectMessages(kafka, topic, { from, done: (all) => all.length >= 3 });
    expect(messages.map((m) => parsed(m).seq)).toEqual([0, 1, 2]);
  });

  it('republishes a batch whose ack was not recorded, with the same event ids', async () => {
    await dataSource.query(`DELETE FROM "${schema}".outbox`);
    const from = await topicEnd();
    let crashAfterPublish = true;
    // Kafka has the batch, but the relay "dies" before marking it sent.
    const lossyAck: OutboxPublisher = {
      publish: async (messages) => {
        await publisher.publish(messages);
        if (crashAfterPublish) {
          crashAfterPublish = false;
          throw new Error('ack lost (simulated)');
        }
      },
    };
    const sent = [event('shop-c/1', 0), event('shop-c/1', 1), event('shop-c/2', 0)];
    await withTransaction(dataSource, (manager) => enqueueOutbox(manager, sent));
    relay({ publisher: lossyAck });
    await waitFor(async () => (await unsent()) === 0, { what: 'batch sent' });
    const messages = await collectMessages(kafka, topic, { from, done: (all) => all.length >= 6 });
    expect(messages).toHaveLength(6);
    const ids = messages.map((m) => parsed(m).eventId);
    expect(new Set(ids)).toEqual(new Set(sent.map((s) => JSON.parse(s.value).eventId as string)));
    for (const id of new Set(ids)) expect(ids.filter((x) => x === id)).toHaveLength(2);
    // Per key the copies stay in order: the first copy of seq 0 before the first copy of seq 1.
    const c1 = messages
      .filter((m) => m.message.key?.toString() === 'shop-c/1')
      .map((m) => parsed(m).seq);
    expect(c1).toEqual([0, 1, 0, 1]);
  });

  it('lets one relay per schema publish; a standby takes over when the leader stops', async () => {
    const a = relay();
    await waitFor(() => a.status.leader, { what: 'a leads' });
    const b = relay();
    // Commits while b stands by; each relay keeps exactly one connection of its own.
    const relayConnections = async () =>
      Number(
        (
          await dataSource.query(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1`,
            [`outbox-test-${suffix}-outbox-relay`],
          )
        )[0].n,
      );
    for (let i = 0; i < 5; i++) {
      await withTransaction(dataSource, (manager) =>
        enqueueOutbox(manager, [event('shop-d/0', i)]),
      );
    }
    await new Promise((r) => setTimeout(r, 600));
    expect(b.status).toMatchObject({ running: true, leader: false, healthy: true, pending: null });
    expect(await relayConnections()).toBe(2); // leader and standby
    await waitFor(async () => (await unsent()) === 0, { what: 'a publishes' });
    await a.stop();
    await waitFor(() => b.status.leader, { what: 'b takes over' });
    await withTransaction(dataSource, (manager) => enqueueOutbox(manager, [event('shop-d/1', 0)]));
    await waitFor(async () => (await unsent()) === 0, { what: 'b publishes' });
  });

  it('deletes sent rows older than the retention and reports metrics', async () => {
    const registry = createMetricsRegistry('outbox-test');
    await withTransaction(dataSource, (manager) => enqueueOutbox(manager, [event('shop-e/1', 0)]));
    relay({ registry, retentionMs: 1, cleanupIntervalMs: 0, pollIntervalMs: 50 });
    await waitFor(
      async () =>
        Number((await dataSource.query(`SELECT count(*) AS n FROM "${schema}".outbox`))[0].n) === 0,
      {
        what: 'sent rows cleaned up',
      },
    );
    const text = await registry.metrics();
    for (const name of [
      'shopwire_outbox_published_total',
      'shopwire_outbox_pending',
      'shopwire_outbox_publish_duration_seconds',
      'shopwire_outbox_failures_total',
      'shopwire_outbox_cleaned_total',
    ]) {
      expect(text).toContain(name);
    }
  });
});

async function unsent(): Promise<number> {
  const rows = await dataSource.query(
    `SELECT count(*) AS n FROM "${schema}".outbox WHERE sent_at IS NULL`,
  );
  return Number(rows[0].n);
}

async function topicEnd(): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, o.high]));
  } finally {
    await admin.disconnect();
  }
}
