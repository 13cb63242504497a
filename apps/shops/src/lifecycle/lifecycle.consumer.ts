import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ConsumerGroup, ShopifyKafkaTopic } from '@shopwire/contracts';
import { METRICS_REGISTRY } from '@shopwire/http';
import {
  backoffDelay,
  briefError,
  ConsumerRunner,
  type BatchingProducer,
  type ConsumerRunnerStatus,
} from '@shopwire/kafka';
import type { Logger, Registry } from '@shopwire/observability';
import type { Kafka } from 'kafkajs';
import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { LifecycleService } from './lifecycle.service';

/** Reads `shopify.compliance.v1` for app/uninstalled and shop/redact (group `shops`). */
@Injectable()
export class LifecycleConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly runner: ConsumerRunner;
  private starting: Promise<void> | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(SERVICE_CONFIG) config: ShopsConfig,
    @Inject(SERVICE_KAFKA) kafka: Kafka,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_PRODUCER) producer: BatchingProducer,
    @Inject(METRICS_REGISTRY) registry: Registry,
    service: LifecycleService,
  ) {
    this.runner = new ConsumerRunner({
      kafka,
      groupId: config.SHOPS_CONSUMER_GROUP,
      topics: [ShopifyKafkaTopic.Compliance],
      logger: logger.child({ component: 'lifecycle-consumer' }),
      handleBatch: (messages, context) => service.handleChunk(messages, context),
      deadLetters: { group: ConsumerGroup.Shops, producer, registry },
    });
  }

  get status(): ConsumerRunnerStatus {
    return this.runner.status;
  }

  /** In the background: with Kafka down at boot the token API still answers. */
  onApplicationBootstrap(): void {
    this.starting = this.startUntilRunning();
  }

  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    await this.starting;
    await this.runner.stop();
    this.logger.info('lifecycle consumer stopped');
  }

  private async startUntilRunning(): Promise<void> {
    for (let attempt = 1; !this.shuttingDown; attempt++) {
      try {
        await this.runner.start();
        return;
      } catch (error) {
        const delayMs = backoffDelay(attempt, 500, 10_000);
        this.logger.warn(
          { err: briefError(error), attempt, delayMs },
          'lifecycle consumer could not start; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
