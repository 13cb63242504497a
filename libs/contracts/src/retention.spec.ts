import { deadLetterTopicOf, retryTopicOf, SUBSCRIPTIONS } from './consumers';
import { ALL_DOMAIN_TOPICS } from './domain-events';
import { ALL_JOB_QUEUES, jobsTopicOf } from './jobs';
import {
  DEAD_LETTER_REVIEW_DAYS,
  retentionConfigs,
  TOPIC_RETENTION,
  topicRetention,
} from './retention';
import { ALL_SHOPIFY_KAFKA_TOPICS } from './topics';

const DAY = 86_400_000;

describe('topic retention', () => {
  it('declares a family for every topic provisioning creates', () => {
    const sources = [...ALL_SHOPIFY_KAFKA_TOPICS, ...ALL_DOMAIN_TOPICS];
    const families = [
      ...ALL_SHOPIFY_KAFKA_TOPICS.map((t) => [t, 'shopify']),
      ...ALL_DOMAIN_TOPICS.map((t) => [t, 'domain']),
      ...sources.map((t) => [deadLetterTopicOf(t), 'dead-letter']),
      ...Object.keys(SUBSCRIPTIONS).map((g) => [retryTopicOf(g), 'retry']),
      ...ALL_JOB_QUEUES.map((q) => [jobsTopicOf(q), 'jobs']),
    ];
    for (const [topic, family] of families) expect(topicRetention(topic).family).toBe(family);
    expect(() => topicRetention('somebody.else.v1')).toThrow(/no retention/);
  });

  it('keeps personal data on raw and domain topics for days, not the broker default week', () => {
    expect(TOPIC_RETENTION.shopify.retentionMs + TOPIC_RETENTION.shopify.segmentMs).toBeLessThan(
      7 * DAY,
    );
    expect(TOPIC_RETENTION.domain.retentionMs + TOPIC_RETENTION.domain.segmentMs).toBeLessThan(
      7 * DAY,
    );
  });

  it('asks for review of a dead letter before the DLQ retention can delete it', () => {
    expect(DEAD_LETTER_REVIEW_DAYS * DAY).toBeLessThan(TOPIC_RETENTION['dead-letter'].retentionMs);
    expect(
      TOPIC_RETENTION['dead-letter'].retentionMs - DEAD_LETTER_REVIEW_DAYS * DAY,
    ).toBeGreaterThanOrEqual(2 * DAY);
  });

  it('turns into topic configs, time only', () => {
    expect(retentionConfigs('shopify.orders.v1')).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': String(3 * DAY),
      'segment.ms': String(6 * 3_600_000),
      'retention.bytes': '-1',
    });
  });
});
