import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  ConsumerGroup,
  decodeOrderEvent,
  decodeWebhookMessage,
  isPrivacyWebhookTopic,
  ShopifyKafkaTopic,
  SUBSCRIPTIONS,
} from '@shopwire/contracts';
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
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Registry } from '@shopwire/observability';
import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';
import type { AnalyticsConfig } from '../config';
import { salesOrderEvent } from './order-event';
import { SalesMetrics, type RejectReason } from './sales.metrics';
import { SalesService, type AnalyticsEvent } from './sales.service';

type Decoded =
  | { kind: 'event'; event: AnalyticsEvent }
  | { kind: 'ignored' }
  | {
      kind: 'rejected';
      reason: RejectReason;
      detail: string;
      offset: string;
      message: KafkaMessage;
    };

/**
 * Reads order domain events and compliance webhooks, hands each chunk to `SalesService` to apply
 * in one transaction. A message that does not decode or fit its topic goes to the DLQ with the
 * reason once the rest has committed; it is logged by offset and reason only, never its value.
 */
@Injectable()
export class SalesConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly runner: ConsumerRunner;
  private starting: Promise<void> | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(SERVICE_CONFIG) config: AnalyticsConfig,
    @Inject(SERVICE_KAFKA) kafka: Kafka,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly service: SalesService,
    private readonly metrics: SalesMetrics,
    @Inject(SERVICE_PRODUCER) producer: BatchingProducer,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.runner = new ConsumerRunner({
      kafka,
      groupId: config.ANALYTICS_CONSUMER_GROUP,
      topics: [...SUBSCRIPTIONS.analytics],
      logger: logger.child({ component: 'analytics-consumer' }),
      partitionsConcurrently: config.ANALYTICS_PARTITIONS_CONCURRENTLY,
      maxChunk: config.ANALYTICS_MAX_CHUNK,
      handleBatch: (messages, context) => this.handleChunk(messages, context),
      // Bounded retries, then the retry topic and the DLQ (docs/adr/0002); outages wait in place.
      deadLetters: { group: ConsumerGroup.Analytics, producer, registry },
      hooks: metrics.runnerHooks,
    });
  }

  get status(): ConsumerRunnerStatus {
    return this.runner.status;
  }

  /** Starts in the background: with Kafka down at boot the HTTP side still answers. */
  onApplicationBootstrap(): void {
    this.starting = this.startUntilRunning();
  }

  /** Nest calls this on SIGTERM before the data source closes (onApplicationShutdown). */
  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    await this.starting;
    await this.runner.stop();
    this.logger.info('analytics consumer stopped');
  }

  async handleChunk(messages: KafkaMessage[], context: ChunkContext): Promise<void> {
    const decoded = messages.map((message) => this.decode(context.topic, message));
    const events = decoded.flatMap((d) => (d.kind === 'event' ? [d.event] : []));
    if (events.length > 0) await this.service.applyEvents(events);
    for (const d of decoded) {
      if (d.kind === 'ignored') this.metrics.ignored.inc({ topic: context.topic });
      else if (d.kind === 'rejected') {
        this.metrics.rejected.inc({ reason: d.reason });
        const parked = deadLetterMalformed(context, d.message, d.reason, d.detail);
        this.logger.warn(
          { ...context, offset: d.offset, reason: d.reason, detail: d.detail },
          parked
            ? 'message is not valid for its topic; dead-lettered'
            : 'message is not valid for its topic; skipped',
        );
      }
    }
  }

  private decode(topic: string, message: KafkaMessage): Decoded {
    const reject = (reason: RejectReason, detail: string): Decoded => ({
      kind: 'rejected',
      reason,
      detail,
      offset: message.offset,
      message,
    });
    if (topic !== ShopifyKafkaTopic.Compliance) {
      const decoded = decodeOrderEvent(topic, message.value);
      if (!decoded.ok) return reject(decoded.reason, decoded.detail);
      return { kind: 'event', event: { kind: 'order', event: salesOrderEvent(decoded.value) } };
    }
    const decoded = decodeWebhookMessage(message);
    if (!decoded.ok) return reject(decoded.reason, decoded.detail);
    const envelope = decoded.value;
    if (!isPrivacyWebhookTopic(envelope.shopifyTopic)) return { kind: 'ignored' };
    // The payload is not read at all: analytics keeps nothing it could identify.
    return {
      kind: 'event',
      event: {
        kind: 'compliance',
        shopDomain: envelope.shopDomain,
        webhookId: envelope.webhookId,
        shopifyTopic: envelope.shopifyTopic,
      },
    };
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
          'analytics consumer could not start; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
