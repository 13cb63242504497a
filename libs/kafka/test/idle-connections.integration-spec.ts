import { TEST_KAFKA_BROKERS } from '@shopwire/testing';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createKafkaClient } from '../src/kafka-client';
import { kafkajsRequestQueue } from '../src/request-queue-fix';
import { provisionTopics } from '../src/topic-provisioning';

/**
 * Idle connections stay idle (src/request-queue-fix.ts). Unfixed, kafkajs 2.2.4 re-checks each
 * connection's empty request queue about 900 times a second; here a producer and a consumer in a
 * group sit connected to the real broker, and their queues are checked only when a request
 * completes (the consumer's 200 ms fetches, heartbeats). Then a message still goes through.
 */
describe('kafkajs connections while idle (real broker)', () => {
  const topic = `idle.fix.${randomUUID()}.v1`;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: Consumer;
  const received: string[] = [];

  beforeAll(async () => {
    kafka = createKafkaClient({
      brokers: TEST_KAFKA_BROKERS,
      clientId: 'idle-fix-spec',
      logger: pino({ level: 'silent' }),
    });
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, [{ topic, partitions: 1, replicationFactor: 1 }]);
    await admin.disconnect();
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId: `idle-fix-${randomUUID()}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let joined!: () => void;
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message.value?.toString() ?? '');
      },
    });
    await hasJoined;
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('checks the request queues a few times a second, not hundreds, then still delivers', async () => {
    const RequestQueue = kafkajsRequestQueue() as unknown as {
      prototype: { checkPendingRequests(): void };
    };
    const checks = jest.spyOn(RequestQueue.prototype, 'checkPendingRequests');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const perSecond = checks.mock.calls.length / 2;
    checks.mockRestore();
    // About 5 fetches/s plus heartbeats and metadata; unfixed it is ~900/s per connection.
    expect(perSecond).toBeLessThan(50);

    await producer.send({ topic, messages: [{ value: 'after-idle' }] });
    const deadline = Date.now() + 10_000;
    while (!received.includes('after-idle') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual(['after-idle']);
  });
});
