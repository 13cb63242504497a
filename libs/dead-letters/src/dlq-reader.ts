import type { Kafka, KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface ReadMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Messages `[from, to)` of one partition. */
export interface ReadWindow {
  topic: string;
  partition: number;
  from: bigint;
  to: bigint;
}

export interface PartitionRange {
  topic: string;
  partition: number;
  /** First offset still held (the log start). */
  low: bigint;
  /** The next offset to be written. */
  high: bigint;
}

/** Each partition's range, for the topics that exist (a DLQ not provisioned yet holds nothing). */
export async function partitionRanges(
  kafka: Kafka,
  topics: readonly string[],
): Promise<PartitionRange[]> {
  if (topics.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ranges: PartitionRange[] = [];
    for (const topic of [...topics].sort()) {
      if (!existing.has(topic)) continue;
      for (const p of await admin.fetchTopicOffsets(topic)) {
        ranges.push({ topic, partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) });
      }
    }
    return ranges.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the given windows, handing each message to `onMessage` as it arrives (nothing is kept
 * here), with a throwaway consumer group that never commits. Every partition of a subscribed topic
 * is positioned explicitly — at its window, or at its end when it has none — and paused once its
 * window is read, so what is fetched is the windows (plus at most a fetch's overshoot), never the
 * rest of the topic. kafkajs has no group-less assign(); this is the plain way to read ranges.
 */
export async function readWindows(
  kafka: Kafka,
  windows: readonly ReadWindow[],
  onMessage: (read: ReadMessage) => void,
  timeoutMs = 30_000,
): Promise<void> {
  const open = windows.filter((w) => w.to > w.from);
  if (open.length === 0) return;
  const byKey = new Map(open.map((w) => [`${w.topic}:${w.partition}`, w]));
  const topics = [...new Set(open.map((w) => w.topic))];
  const ends = new Map(
    (await partitionRanges(kafka, topics)).map((r) => [`${r.topic}:${r.partition}`, r.high]),
  );
  const consumer = kafka.consumer({
    groupId: `shopwire-dlq-reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const pending = new Set(byKey.keys());
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topics.join(', ')} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finish = (key: string, topic: string, partition: number) => {
        if (!pending.delete(key)) return;
        consumer.pause([{ topic, partitions: [partition] }]);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      consumer
        .run({
          autoCommit: false,
          eachBatch: ({ batch }) => {
            const key = `${batch.topic}:${batch.partition}`;
            const window = byKey.get(key);
            if (!window || !pending.has(key)) return Promise.resolve();
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset >= window.from && offset < window.to) {
                onMessage({ topic: batch.topic, partition: batch.partition, message });
              }
            }
            // Reaching to - 1 (or a batch ending at or past it, e.g. after aborted
            // transactions or a compacted gap) means the window is read.
            if (BigInt(batch.lastOffset()) >= window.to - 1n) {
              finish(key, batch.topic, batch.partition);
            }
            return Promise.resolve();
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      for (const topic of topics) {
        for (const [key, high] of ends) {
          if (!key.startsWith(`${topic}:`)) continue;
          const partition = Number(key.slice(topic.length + 1));
          const window = byKey.get(key);
          consumer.seek({ topic, partition, offset: String(window ? window.from : high) });
        }
      }
    });
  } finally {
    await consumer.disconnect();
  }
}
