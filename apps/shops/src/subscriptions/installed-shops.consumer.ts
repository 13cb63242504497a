import { Controller, Inject } from '@nestjs/common';
import { decodeShopInstallationChanged, DomainTopic } from '@shopwire/contracts';
import { ConsumeChunks, type ChunkConsumerTuning, type ConsumerChunk } from '@shopwire/kafka';
import type { Logger } from '@shopwire/observability';
import type { KafkaMessage } from 'kafkajs';
import { SERVICE_LOGGER } from '@shopwire/service-runtime';
import { ShopNotInstalledError } from '../credentials/credentials.errors';
import { SubscriptionsService } from './subscriptions.service';

/** The logical group of the install-time reconcile (its id: SUBSCRIPTIONS_CONSUMER_GROUP). */
export const INSTALLED_SHOPS_GROUP = 'shops-subscriptions';

/** Its settings on the service's transport (CoreModule adds the group id). */
export const INSTALLED_SHOPS_TUNING: ChunkConsumerTuning = {
  // Every install since the group was made: a reconcile is idempotent, a missed one is not.
  fromBeginning: true,
  // Reconciles run one at a time in the process anyway (SubscriptionsService).
  partitionsConcurrently: 1,
  maxChunk: 20,
  // A fetch returns as soon as one byte is there, so the wait only sets how often an idle
  // consumer asks (and how long its stop may wait for the fetch in flight), not the latency.
  fetchMaxWaitMs: 1000,
  fetchMinBytes: 1,
  // A failed reconcile is left to the schedule, so nothing here is worth a retry topic or a
  // DLQ; what throws (the database down) is retried in place.
  deadLetters: false,
};

/**
 * Puts a shop's subscriptions in place when the service itself announces
 * `installation.installed` on `shops.installation.changed.v1`. Through Kafka rather than right
 * after the grant is stored: the event is in the outbox in the same transaction as the grant, so
 * a crash between the two cannot lose the reconcile. One group shared by the replicas (one of
 * them handles each install). A reconcile that fails is logged and left to the schedule (the shop
 * is due at once, never having been checked), so a Shopify outage never holds the partition.
 */
@Controller()
export class InstalledShopsConsumer {
  constructor(
    private readonly service: SubscriptionsService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  @ConsumeChunks({ group: INSTALLED_SHOPS_GROUP, topics: [DomainTopic.ShopInstallationChanged] })
  async handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    for (const message of messages) await this.handle(message, chunk);
  }

  private async handle(message: KafkaMessage, chunk: ConsumerChunk): Promise<void> {
    const decoded = decodeShopInstallationChanged(message.value);
    if (!decoded.ok) {
      chunk.rejected(message, decoded.reason, decoded.detail);
      this.logger.warn(
        { offset: message.offset, reason: decoded.reason, detail: decoded.detail },
        'installation event unreadable; skipped',
      );
      return;
    }
    const event = decoded.value;
    if (event.type !== 'installation.installed') {
      chunk.ignored(event.type);
      return;
    }
    const shop = event.shopDomain;
    try {
      await this.service.reconcile(shop, 'install');
    } catch (error) {
      // Uninstalled since, or an installation this database does not hold: nothing to keep.
      if (error instanceof ShopNotInstalledError) return;
      this.logger.warn(
        { shop, err: error instanceof Error ? error.message : 'unknown error' },
        'webhook subscriptions not reconciled at install; the schedule will',
      );
    }
  }
}
