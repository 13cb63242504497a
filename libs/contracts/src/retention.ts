import { ALL_DOMAIN_TOPICS } from './domain-events';
import { jobsTopicOf, ALL_JOB_QUEUES } from './jobs';
import { ALL_SHOPIFY_KAFKA_TOPICS } from './topics';

/**
 * How long Kafka keeps each family of Shopwire's topics. Raw Shopify topics and domain topics
 * carry customers' personal data (full webhook payloads; orders with their customer), retry and
 * dead-letter topics carry copies of them, so these numbers are the retention of personal data
 * on the broker (docs/security.md, "Personal data and erasure"). A redact cannot rewrite a
 * message already on a topic; it ages out here, while tombstones keep a replay of it from
 * bringing the customer back.
 *
 * Kafka deletes whole log segments once their newest message is older than `retentionMs`, so a
 * message lives at most `retentionMs + segmentMs` (and a segment is rolled after `segmentMs`
 * even on a quiet topic). It may go as early as `retentionMs` after it was written.
 */
export interface TopicRetention {
  family: TopicFamily;
  retentionMs: number;
  segmentMs: number;
}

export type TopicFamily = 'shopify' | 'domain' | 'retry' | 'dead-letter' | 'jobs';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const TOPIC_RETENTION: Record<TopicFamily, Omit<TopicRetention, 'family'>> = {
  // Long enough for a consumer group to catch up after a weekend outage; Shopify itself retries
  // a failed delivery for only 4 hours, and reconciliation fetches what is older.
  shopify: { retentionMs: 3 * DAY, segmentMs: 6 * HOUR },
  domain: { retentionMs: 3 * DAY, segmentMs: 6 * HOUR },
  // A parked retry is re-read within minutes; a day covers a consumer that was down meanwhile.
  retry: { retentionMs: 1 * DAY, segmentMs: 1 * HOUR },
  // Dead letters wait for a person: two weeks to review and replay them. The alert
  // ShopwireDeadLetterNearExpiry fires when a pending one is older than DEAD_LETTER_REVIEW_DAYS.
  'dead-letter': { retentionMs: 14 * DAY, segmentMs: 1 * DAY },
  // Job dispatch messages (ids and parameters, no personal data): the job table is the truth.
  jobs: { retentionMs: 1 * DAY, segmentMs: 1 * HOUR },
};

/** Days after which a pending dead letter must be reviewed before the DLQ retention takes it. */
export const DEAD_LETTER_REVIEW_DAYS = 10;

const SHOPIFY = new Set<string>(ALL_SHOPIFY_KAFKA_TOPICS);
const DOMAIN = new Set<string>(ALL_DOMAIN_TOPICS);
const JOBS = new Set<string>(ALL_JOB_QUEUES.map(jobsTopicOf));

/** The family and retention of one of Shopwire's topics; throws for a topic it does not know. */
export function topicRetention(topic: string): TopicRetention {
  const family: TopicFamily | null = topic.endsWith('.dlq')
    ? 'dead-letter'
    : /^shopwire\.[a-z0-9-]+\.retry\.v\d+$/.test(topic)
      ? 'retry'
      : SHOPIFY.has(topic)
        ? 'shopify'
        : DOMAIN.has(topic)
          ? 'domain'
          : JOBS.has(topic)
            ? 'jobs'
            : null;
  if (family === null) throw new Error(`no retention is declared for topic ${topic}`);
  return { family, ...TOPIC_RETENTION[family] };
}

/** The topic-level Kafka configs that enforce `topicRetention(topic)`. */
export function retentionConfigs(topic: string): Record<string, string> {
  const { retentionMs, segmentMs } = topicRetention(topic);
  return {
    'cleanup.policy': 'delete',
    'retention.ms': String(retentionMs),
    'segment.ms': String(segmentMs),
    // Size never shortens the time promised above, nor stretches it.
    'retention.bytes': '-1',
  };
}
