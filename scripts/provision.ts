// Creates Shopwire's Kafka topics (the broker never auto-creates them). Run once per deployment:
// `npm run provision` locally, a Job in Kubernetes, a one-shot service in docker compose.
// Safe to re-run: existing topics are kept, too-small partition counts are raised.
import {
  ALL_DOMAIN_TOPICS,
  ALL_JOB_QUEUES,
  ALL_SHOPIFY_KAFKA_TOPICS,
  deadLetterTopicOf,
  jobsTopicOf,
  retentionConfigs,
  retryTopicOf,
  SUBSCRIPTIONS,
} from '@shopwire/contracts';
import { kafkaConnection, kafkaEnv, loadConfigOrExit, positiveInt, z } from '@shopwire/config';
import { createKafkaClient, provisionTopics, type TopicSpec } from '@shopwire/kafka';
import { createLogger } from '@shopwire/observability';

const config = loadConfigOrExit(
  z.object({
    ...kafkaEnv,
    /** Partitions per topic: the ceiling on consumer replicas per group. */
    KAFKA_TOPIC_PARTITIONS: positiveInt(6),
    KAFKA_REPLICATION_FACTOR: positiveInt(1),
    /**
     * Replicas that must have a write before an acks=all producer (the gateway, every outbox) is
     * answered. With RF 3 and 2 here, an acknowledged webhook survives the loss of a leader and
     * one broker may be down without stopping writes. Single-node development: 1/1.
     */
    KAFKA_MIN_INSYNC_REPLICAS: positiveInt(1),
    KAFKA_MAX_MESSAGE_BYTES: positiveInt(8 * 1024 * 1024),
  }),
  'provision',
  {
    production: {
      KAFKA_REPLICATION_FACTOR: {
        kind: 'at-least',
        min: 3,
        why: 'a topic must keep its acknowledged messages through the loss of a broker',
      },
      KAFKA_MIN_INSYNC_REPLICAS: {
        kind: 'at-least',
        min: 2,
        why: 'with 1, an acks=all write is acknowledged by the leader alone and lost with it',
      },
    },
  },
);
if (config.KAFKA_MIN_INSYNC_REPLICAS > config.KAFKA_REPLICATION_FACTOR) {
  // Kafka accepts such a topic and quietly counts min.insync.replicas as at most the replica
  // count, so the setting would promise a durability nobody gets.
  process.stderr.write(
    `provisioning refused: KAFKA_MIN_INSYNC_REPLICAS (${config.KAFKA_MIN_INSYNC_REPLICAS}) is more than KAFKA_REPLICATION_FACTOR (${config.KAFKA_REPLICATION_FACTOR}): the broker would quietly use ${config.KAFKA_REPLICATION_FACTOR}\n`,
  );
  process.exit(1);
}

async function main(): Promise<void> {
  const logger = createLogger('provision');
  const kafka = createKafkaClient({
    ...kafkaConnection(config),
    clientId: 'shopwire-provision',
    logger,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const sources = [...ALL_SHOPIFY_KAFKA_TOPICS, ...ALL_DOMAIN_TOPICS];
    const topics = [
      ...sources,
      ...sources.map(deadLetterTopicOf),
      ...Object.keys(SUBSCRIPTIONS).map(retryTopicOf),
      // Job dispatch: partitions bound how many replicas share a service's jobs.
      ...ALL_JOB_QUEUES.map(jobsTopicOf),
    ];
    const specs: TopicSpec[] = topics.map((topic) => ({
      topic,
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      // A webhook may be up to WEBHOOK_MAX_BYTES (5 MiB by default); the broker's 1 MB default
      // would refuse it forever and Shopify would retry it into a deleted subscription.
      configs: {
        // Per topic family (raw Shopify, domain, retry, dead-letter, jobs): the retention of the
        // personal data these topics carry (libs/contracts/src/retention.ts, docs/security.md).
        ...retentionConfigs(topic),
        'max.message.bytes': String(config.KAFKA_MAX_MESSAGE_BYTES),
        'min.insync.replicas': String(config.KAFKA_MIN_INSYNC_REPLICAS),
      },
    }));
    const result = await provisionTopics(admin, specs);
    logger.info(result, `topics ready: ${specs.length}`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`provisioning failed: ${String(error)}\n`);
  process.exit(1);
});
