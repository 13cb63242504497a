import type { Kafka, KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface ReadMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads whole topics, from each partition's low watermark to the high watermark seen at the start,
 * with a throwaway consumer group that never commits (so it leaves nothing behind but an empty,
 * expiring group). kafkajs has no group-less assign(); this is the plain way to scan a topic.
 * Dead-letter topics are meant to stay small; a scan is a few hundred milliseconds.
 */
export async function readTopicsToEnd(
  kafka: Kafka,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  if (topics.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  const targets = new Map<string, bigint>(); // "topic:partition" → high watermark
  try {
    // A DLQ topic not provisioned (yet) simply holds no dead letters.
    const existing = new Set(await admin.listTopics());
    topics = topics.filter((topic) => existing.has(topic));
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) targets.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (targets.size === 0 || topics.length === 0) return [];

  const consumer = kafka.consumer({
    groupId: `shopwire-dlq-reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const read: ReadMessage[] = [];
  const pending = new Set(targets.keys());
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topics.join(', ')} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: ({ batch }) => {
            const key = `${batch.topic}:${batch.partition}`;
            const high = targets.get(key);
            if (high === undefined) return Promise.resolve();
            for (const message of batch.messages) {
              if (BigInt(message.offset) < high) {
                read.push({ topic: batch.topic, partition: batch.partition, message });
              }
            }
            // The high watermark is the next offset to be written; reaching high - 1 (or a
            // batch ending at or past it, e.g. after aborted transactions) means done.
            if (BigInt(batch.lastOffset()) >= high - 1n) pending.delete(key);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return read;
}
