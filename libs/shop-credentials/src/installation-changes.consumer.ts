import { decodeShopInstallationChanged, DomainTopic } from '@shopwire/contracts';
import {
  ConsumerRunner,
  fetchTopicOffsetsSettled,
  type ConsumerRunnerStatus,
} from '@shopwire/kafka';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';

/** What the consumer needs of the credentials client (any cache keyed by shop will do). */
export interface ShopInvalidation {
  invalidate(shop: string, cause: 'installation_changed'): void;
}

export interface InstallationChangesConsumerOptions {
  kafka: Kafka;
  credentials: ShopInvalidation;
  logger: Logger;
  /** Default `shops.installation.changed.v1` (tests use a topic of their own). */
  topic?: string;
  /**
   * Consumer group. Every process must see every event (each holds its own cache), so the default
   * is a group of its own: `<groupPrefix>.<host>.<pid>.<random>`. Do not share one between
   * processes.
   */
  groupId?: string;
  /** Default `shop-credentials`; names the group when `groupId` is not given. */
  groupPrefix?: string;
  /** Called after a shop was dropped (the sync service also stops the shop's scheduled work). */
  onChange?(shop: string, type: string | null): void;
}

/**
 * Drops a shop's cached token when the shops service announces a change of its installation
 * (installed, uninstalled, re-authorisation required, token rotated) on
 * `shops.installation.changed.v1`. The event never carries the token: the next lookup asks the
 * shops service. Starts at the end of the topic (a new process has nothing cached), reads with a
 * group of its own per process, and skips what it cannot read (logged, never blocking).
 */
export class InstallationChangesConsumer {
  private readonly runner: ConsumerRunner;
  private readonly topic: string;
  readonly groupId: string;

  constructor(private readonly options: InstallationChangesConsumerOptions) {
    this.groupId =
      options.groupId ??
      `${options.groupPrefix ?? 'shop-credentials'}.${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`;
    this.topic = options.topic ?? DomainTopic.ShopInstallationChanged;
    this.runner = new ConsumerRunner({
      kafka: options.kafka,
      groupId: this.groupId,
      topics: [this.topic],
      logger: options.logger,
      // start() commits the topic's end for a new group first; this only applies when that
      // could not happen (a partition added since)
      fromBeginning: false,
      partitionsConcurrently: 4,
      maxChunk: 500,
      // An invalidation is worth little if it arrives late: a fetch returns as soon as one byte
      // is there. The wait only sets how often an idle consumer asks (and how long its stop may
      // wait for the fetch in flight), so it is not short.
      fetchMaxWaitMs: 1000,
      fetchMinBytes: 1,
      handleBatch: async (messages) => {
        for (const message of messages) this.apply(message);
      },
    });
  }

  get status(): ConsumerRunnerStatus {
    return this.runner.status;
  }

  /**
   * Commits the topic's current end for the group when it has no offsets yet, then joins. Without
   * that, a new group resolves "latest" only at its first fetch, some time after joining, and an
   * event produced in between would be skipped: the shop's stale token (or cached "not
   * installed") would be served until its cache entry expired.
   */
  async start(): Promise<void> {
    await this.commitTopicEndIfNew();
    await this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  private async commitTopicEndIfNew(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
      if (committed?.partitions.some((partition) => Number(partition.offset) >= 0)) return;
      const ends = await fetchTopicOffsetsSettled(admin, this.topic);
      await admin.setOffsets({
        groupId: this.groupId,
        topic: this.topic,
        partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  private apply(message: KafkaMessage): void {
    const change = readChange(message);
    if (!change) {
      this.options.logger.warn(
        { offset: message.offset },
        'installation change without a shop; skipped',
      );
      return;
    }
    this.options.credentials.invalidate(change.shop, 'installation_changed');
    this.options.onChange?.(change.shop, change.type);
  }
}

/** The shop (the message key, else the event's `shopDomain`) and the event type, if readable. */
export function readChange(message: Pick<KafkaMessage, 'key' | 'value'>): {
  shop: string;
  type: string | null;
} | null {
  // A value that does not decode still names its shop in the key, and the key alone is enough
  // to drop the shop's token.
  const decoded = decodeShopInstallationChanged(message.value);
  const key = message.key?.toString('utf8');
  const shop = key && key.length > 0 ? key : decoded.ok ? decoded.value.shopDomain : '';
  if (!shop) return null;
  return { shop, type: decoded.ok ? decoded.value.type : null };
}
