import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ConsumerGroup, SUBSCRIPTIONS } from '@shopwire/contracts';
import {
  backoffDelay,
  briefError,
  ConsumerRunner,
  deadLetterMalformed,
  type BatchingProducer,
  type ChunkContext,
  type ConsumerRunnerStatus,
} from '@shopwire/kafka';
import type { Logger } from '@shopwire/observability';
import type { Kafka, KafkaMessage } from 'kafkajs';
import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';
import type { NotificationConfig } from '../config';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Registry } from '@shopwire/observability';
import { NotificationDispatcher } from './notification-dispatcher';
import { decodeNotificationInput } from './notification-events';
import { NotificationsMetrics } from './notifications.metrics';
import { NotificationsService } from './notifications.service';

/** Reads the notification group's subscriptions (order events, low stock, compliance). */
@Injectable()
export class NotificationsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly runner: ConsumerRunner;
  private starting: Promise<void> | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationConfig,
    @Inject(SERVICE_KAFKA) kafka: Kafka,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly service: NotificationsService,
    private readonly dispatcher: NotificationDispatcher,
    private readonly metrics: NotificationsMetrics,
    @Inject(SERVICE_PRODUCER) producer: BatchingProducer,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.runner = new ConsumerRunner({
      kafka,
      groupId: config.NOTIFICATION_CONSUMER_GROUP,
      topics: [...SUBSCRIPTIONS.notification],
      logger: logger.child({ component: 'notifications-consumer' }),
      partitionsConcurrently: config.NOTIFICATION_PARTITIONS_CONCURRENTLY,
      maxChunk: config.NOTIFICATION_MAX_CHUNK,
      handleBatch: (messages, context) => this.handleChunk(messages, context),
      // Bounded retries, then the retry topic and the DLQ (docs/adr/0002); outages wait in place.
      deadLetters: { group: ConsumerGroup.Notification, producer, registry },
      hooks: metrics.runnerHooks,
    });
  }

  get status(): ConsumerRunnerStatus {
    return this.runner.status;
  }

  onApplicationBootstrap(): void {
    this.starting = this.startUntilRunning();
  }

  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    await this.starting;
    await this.runner.stop();
    this.logger.info('notifications consumer stopped');
  }

  async handleChunk(messages: KafkaMessage[], context: ChunkContext): Promise<void> {
    const inputs = messages.map((m) =>
      decodeNotificationInput(context.topic, m, (shop) => this.merchantEmail(shop)),
    );
    const applicable = inputs.flatMap((i) =>
      i.kind === 'email' || i.kind === 'privacy' ? [i] : [],
    );
    if (applicable.length > 0 && (await this.service.apply(applicable))) this.dispatcher.wake();
    for (const [index, input] of inputs.entries()) {
      if (input.kind !== 'rejected') continue;
      this.metrics.rejected.inc({ topic: input.topic, reason: input.reason });
      // To the DLQ with the reason once the rest has committed, rather than gone without a trace.
      const parked = deadLetterMalformed(context, messages[index], input.reason);
      this.logger.warn(
        { ...context, offset: input.offset, reason: input.reason },
        parked
          ? 'message is not a valid event; dead-lettered'
          : 'message is not a valid event; skipped',
      );
    }
  }

  private merchantEmail(shopDomain: string): string | null {
    return (
      this.config.MERCHANT_EMAILS.get(shopDomain.toLowerCase()) ??
      this.config.MERCHANT_DEFAULT_EMAIL ??
      null
    );
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
          'notifications consumer could not start; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
