import { retry } from '@shopwire/resilience';
import type { Admin } from 'kafkajs';

/**
 * Errors a partition answers with while its leadership is still settling: right after
 * `createTopics` (even with `waitForLeaders`) or `createPartitions`, and while a restarted broker
 * takes its partitions back. kafkajs's `admin.fetchTopicOffsets` retries only
 * UNKNOWN_TOPIC_OR_PARTITION and gives up at once on these. Seen against Kafka 3.9.1 and 4.x alike
 * (about 1 call in 30 straight after a create on a single-node broker).
 */
const LEADERSHIP_SETTLING = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']);

export function isLeadershipSettling(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && LEADERSHIP_SETTLING.has(type);
}

export type TopicOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

/**
 * `admin.fetchTopicOffsets`, retried while the topic's partition leadership settles: backing off
 * from 100 ms up to 2 s between tries, for at most `settleMs` (default 30 s — a broker busy
 * creating a few hundred partitions on a loaded 2-core machine took more than 5 s). Any other
 * error is thrown at once; a settling error that outlasts `settleMs` is thrown as is.
 */
export async function fetchTopicOffsetsSettled(
  admin: Admin,
  topic: string,
  { settleMs = 30_000 }: { settleMs?: number } = {},
): Promise<TopicOffsets> {
  const deadline = Date.now() + settleMs;
  return retry(() => admin.fetchTopicOffsets(topic), {
    // The deadline bounds the tries, not the count.
    attempts: Number.MAX_SAFE_INTEGER,
    baseMs: 100,
    capMs: 2_000,
    retryable: (error) => isLeadershipSettling(error) && Date.now() < deadline,
  });
}
