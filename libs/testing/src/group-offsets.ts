import { fetchTopicOffsetsSettled } from '@shopwire/kafka';
import type { Kafka } from 'kafkajs';

export interface GroupOffsets {
  topic: string;
  partitions: { partition: number; offset: string }[];
}

/**
 * Commits offsets for a consumer group that has no running member — what kafkajs's
 * `admin.setOffsets` does, but for every topic in one group join and without its idle wait.
 * `admin.setOffsets` joins the group once per topic with a consumer whose partitions are all
 * paused, and such a consumer sleeps its fetch wait (kafkajs's default 5 s) before the first
 * fetch event it waits for: 5 s per topic, 20–25 s for a service reading four or five topics.
 * Here the same steps (join, pause, seek, stop after the first fetch round, which commits the
 * sought offsets) run once, with a 50 ms wait.
 */
export async function commitGroupOffsets(
  kafka: Kafka,
  groupId: string,
  offsets: readonly GroupOffsets[],
): Promise<void> {
  const wanted = offsets.filter((o) => o.partitions.length > 0);
  if (wanted.length === 0) return;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: wanted.map((o) => o.topic), fromBeginning: true });
    const group = await consumer.describeGroup();
    if (!['Empty', 'Dead'].includes(group.state))
      throw new Error(`group ${groupId} has running members (${group.state}); offsets not set`);
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.FETCH, () => {
        consumer.stop().then(resolve, reject);
      });
      consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => undefined }).catch(reject);
      // Nothing is read: every topic paused, every partition sought to its offset, and the
      // seeks are committed when the fetch round resolves them.
      consumer.pause(wanted.map(({ topic }) => ({ topic })));
      for (const { topic, partitions } of wanted)
        for (const { partition, offset } of partitions) consumer.seek({ topic, partition, offset });
    });
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Points a fresh group at the current end of every topic it reads (topics are pre-provisioned
 * and shared), so a test consumes what it produces, not other suites' backlog.
 */
export async function startGroupAtEnd(
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets: GroupOffsets[];
  try {
    offsets = await Promise.all(
      topics.map(async (topic) => ({
        topic,
        partitions: (await fetchTopicOffsetsSettled(admin, topic)).map(({ partition, high }) => ({
          partition,
          offset: high,
        })),
      })),
    );
  } finally {
    await admin.disconnect();
  }
  await commitGroupOffsets(kafka, groupId, offsets);
}
