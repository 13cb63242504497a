import { testKafka } from '@shopwire/testing';
import type { Admin, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { provisionTopics } from '../src/topic-provisioning';

/**
 * kafkajs 2.2.4 is unmaintained and was only ever CI-tested against Kafka 2.4; we run it against
 * the broker line chosen in docs/adr/0001-kafka-broker-line.md. This suite exercises every
 * protocol path Shopwire relies on, so a broker or client change that breaks the pairing fails
 * here first rather than in production.
 */
describe('kafkajs ↔ broker pairing (real broker)', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topic = `pairing.smoke.${randomUUID()}.v1`;

  beforeAll(async () => {
    kafka = testKafka('pairing-smoke');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates a topic explicitly, then raises its partitions; auto-creation is off', async () => {
    const first = await provisionTopics(admin, [{ topic, partitions: 3, replicationFactor: 1 }]);
    expect(first.created).toEqual([topic]);
    const second = await provisionTopics(admin, [{ topic, partitions: 6, replicationFactor: 1 }]);
    expect(second.expanded).toEqual([topic]);
    const again = await provisionTopics(admin, [{ topic, partitions: 6, replicationFactor: 1 }]);
    expect(again.unchanged).toEqual([topic]);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0].partitions).toHaveLength(6);

    // The broker must refuse to invent topics: a typo must not silently create one.
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
    await producer.connect();
    await expect(
      producer.send({
        topic: `pairing.missing.${randomUUID()}`,
        messages: [{ value: 'x' }],
        acks: -1,
      }),
    ).rejects.toThrow();
    await producer.disconnect();
  });

  it('produces idempotently with acks=-1, joins a consumer group, reads back and commits offsets', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `shop/${i % 4}`, value: `m-${i}` }));
    const results = await producer.sendBatch({
      topicMessages: [{ topic, messages: sent }],
      acks: -1,
    });
    expect(results.every((r) => r.errorCode === 0)).toBe(true);
    await producer.disconnect();

    const groupId = `pairing-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length} of 20 received`)),
        30_000,
      );
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          received.push(String(message.value));
          await consumer.commitOffsets([
            { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
          if (received.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    expect(joined).toBe(true);
    expect(received.sort()).toEqual(sent.map((m) => m.value).sort());

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0].partitions.reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
    expect(total).toBe(sent.length);
    await consumer.disconnect();
  });
});
