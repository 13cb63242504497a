import { randomUUID } from 'node:crypto';
import { kafkaConnection, kafkaEnv, loadConfig, z } from '@shopwire/config';
import { fetchTopicOffsetsSettled } from '@shopwire/kafka';
import { Kafka, logLevel, type Admin, type KafkaMessage } from 'kafkajs';

/** Helpers for tests that run against the real broker started by `scripts/infra.sh`. */

export const TEST_KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** The services' own connection settings (KAFKA_SSL*, KAFKA_SASL_*), read from this process's environment. */
export function testKafka(clientId = 'shopwire-test'): Kafka {
  return new Kafka({
    clientId,
    ...kafkaConnection(loadConfig(z.object(kafkaEnv))),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 3, initialRetryTime: 100 },
  });
}

/** Total messages ever written to a topic: the sum of its partitions' high watermarks. */
export async function topicEndOffset(admin: Admin, topic: string): Promise<bigint> {
  const offsets = await fetchTopicOffsetsSettled(admin, topic);
  return offsets.reduce((sum, partition) => sum + BigInt(partition.high), 0n);
}

/** Each partition's next offset: where messages written from now on will start. */
export async function topicPositions(kafka: Kafka, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await fetchTopicOffsetsSettled(admin, topic);
    return new Map(offsets.map((o) => [o.partition, o.high]));
  } finally {
    await admin.disconnect();
  }
}

export interface CollectedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads a topic from the beginning (or from `from`) with a throwaway consumer group until `done` says the collected
 * messages suffice, or the timeout passes (then it returns what it has; the test's assertions
 * decide). `filter` keeps only this test's messages, since topics are shared between tests.
 */
export async function collectMessages(
  kafka: Kafka,
  topic: string,
  options: {
    filter?: (message: KafkaMessage) => boolean;
    done: (messages: CollectedMessage[]) => boolean;
    timeoutMs?: number;
    /** Start here (from `topicPositions`) instead of the beginning: fast on a long-lived topic. */
    from?: Map<number, string>;
  },
): Promise<CollectedMessage[]> {
  const consumer = kafka.consumer({ groupId: `test-probe-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const collected: CollectedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.timeoutMs ?? 20_000);
      void consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          if (options.filter && !options.filter(message)) return;
          collected.push({ topic: t, partition, message });
          if (options.done(collected)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
      for (const [partition, offset] of options.from ?? [])
        consumer.seek({ topic, partition, offset });
    });
    // Give a last in-flight batch a moment so "exactly N" assertions see any extra copy.
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await consumer.disconnect();
  }
  return collected;
}

/**
 * Every message written to a topic from `from` (taken with `topicPositions`) up to the topic's end
 * now. A "writes nothing" check looks in these for its own message: the topic is shared, so its
 * end offset also moves with other suites' writes.
 */
export async function messagesWrittenSince(
  kafka: Kafka,
  topic: string,
  from: Map<number, string>,
): Promise<KafkaMessage[]> {
  const to = await topicPositions(kafka, topic);
  let expected = 0n;
  for (const [partition, end] of to) expected += BigInt(end) - BigInt(from.get(partition) ?? '0');
  if (expected === 0n) return [];
  const collected = await collectMessages(kafka, topic, {
    from,
    done: (messages) => BigInt(messages.length) >= expected,
    timeoutMs: 30_000,
  });
  return collected.map(({ message }) => message);
}

export function headerValue(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.toString();
}
