import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { decodeShopInstallationChanged, DomainTopic } from '@shopwire/contracts';
import { ConsumerRunner } from '@shopwire/kafka';
import type { Logger } from '@shopwire/observability';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { SERVICE_CONFIG, SERVICE_KAFKA, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { ShopNotInstalledError } from '../credentials/credentials.errors';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Puts a shop's subscriptions in place when the service itself announces
 * `installation.installed` on `shops.installation.changed.v1`. Through Kafka rather than right
 * after the grant is stored: the event is in the outbox in the same transaction as the grant, so
 * a crash between the two cannot lose the reconcile. One group shared by the replicas (one of
 * them handles each install). A reconcile that fails is logged and left to the schedule (the shop
 * is due at once, never having been checked), so a Shopify outage never holds the partition.
 */
@Injectable()
export class InstalledShopsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly runner: ConsumerRunner;

  constructor(
    private readonly service: SubscriptionsService,
    @Inject(SERVICE_KAFKA) kafka: Kafka,
    @Inject(SERVICE_CONFIG) config: ShopsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.runner = new ConsumerRunner({
      kafka,
      groupId: config.SUBSCRIPTIONS_CONSUMER_GROUP,
      topics: [DomainTopic.ShopInstallationChanged],
      logger,
      // Every install since the group was made: a reconcile is idempotent, a missed one is not.
      fromBeginning: true,
      // Reconciles run one at a time in the process anyway (SubscriptionsService).
      partitionsConcurrently: 1,
      maxChunk: 20,
      fetchMaxWaitMs: 100,
      fetchMinBytes: 1,
      handleBatch: async (messages) => {
        for (const message of messages) await this.handle(message);
      },
    });
  }

  get status() {
    return this.runner.status;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }

  private async handle(message: KafkaMessage): Promise<void> {
    const decoded = decodeShopInstallationChanged(message.value);
    if (!decoded.ok) {
      this.logger.warn(
        { offset: message.offset, reason: decoded.reason, detail: decoded.detail },
        'installation event unreadable; skipped',
      );
      return;
    }
    const event = decoded.value;
    if (event.type !== 'installation.installed') return;
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
