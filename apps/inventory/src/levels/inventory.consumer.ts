import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  ConsumerGroup,
  decodeInventoryItemUpdate,
  decodeInventoryLevelUpdate,
  decodeOrderEvent,
  decodeWebhookMessage,
  DomainTopic,
  isPrivacyWebhookTopic,
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
import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';
import type { InventoryConfig } from '../config';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Registry } from '@shopwire/observability';
import { InventoryMetrics, type RejectReason } from './inventory.metrics';
import { InventoryService, type InventoryEvent } from './inventory.service';
import { orderCommitment } from './order-event';

const LEVEL_TOPICS = new Set(['inventory_levels/update', 'inventory_levels/connect']);
const ITEM_TOPICS = new Set(['inventory_items/create', 'inventory_items/update']);

type Decoded =
  | { kind: 'event'; event: InventoryEvent }
  | { kind: 'ignored' }
  | {
      kind: 'rejected';
      reason: RejectReason;
      detail: string;
      offset: string;
      id?: string;
      message: KafkaMessage;
    };

/**
 * Reads inventory webhooks, order domain events and compliance webhooks; turns each message into
 * an event (or a reason to refuse it) and hands the chunk to `InventoryService` to apply in one
 * transaction. A message that does not decode or fit its topic goes to the DLQ with the reason
 * once the rest has committed; it is logged by id and offset only, never its payload.
 */
@Injectable()
export class InventoryConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly runner: ConsumerRunner;
  private starting: Promise<void> | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(SERVICE_CONFIG) config: InventoryConfig,
    @Inject(SERVICE_KAFKA) kafka: Kafka,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly service: InventoryService,
    private readonly metrics: InventoryMetrics,
    @Inject(SERVICE_PRODUCER) producer: BatchingProducer,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.runner = new ConsumerRunner({
      kafka,
      groupId: config.INVENTORY_CONSUMER_GROUP,
      topics: [...SUBSCRIPTIONS.inventory],
      logger: logger.child({ component: 'inventory-consumer' }),
      partitionsConcurrently: config.INVENTORY_PARTITIONS_CONCURRENTLY,
      maxChunk: config.INVENTORY_MAX_CHUNK,
      handleBatch: (messages, context) => this.handleChunk(messages, context),
      // Bounded retries, then the retry topic and the DLQ (docs/adr/0002); outages wait in place.
      deadLetters: { group: ConsumerGroup.Inventory, producer, registry },
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

  /** Nest calls this on SIGTERM before the outbox relay and the data source stop. */
  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    await this.starting;
    await this.runner.stop();
    this.logger.info('inventory consumer stopped');
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
          { ...context, offset: d.offset, reason: d.reason, detail: d.detail, id: d.id },
          parked
            ? 'message is not valid for its topic; dead-lettered'
            : 'message is not valid for its topic; skipped',
        );
      }
    }
  }

  private decode(topic: string, message: KafkaMessage): Decoded {
    const reject = (reason: RejectReason, detail: string, id?: string): Decoded => ({
      kind: 'rejected',
      reason,
      detail,
      offset: message.offset,
      id,
      message,
    });
    if (topic === DomainTopic.OrderAccepted || topic === DomainTopic.OrderCancelled) {
      const decoded = decodeOrderEvent(topic, message.value);
      if (!decoded.ok) return reject(decoded.reason, decoded.detail);
      const order = orderCommitment(decoded.value);
      return order ? { kind: 'event', event: { kind: 'order', order } } : { kind: 'ignored' };
    }
    const decoded = decodeWebhookMessage(message);
    if (!decoded.ok) return reject(decoded.reason, decoded.detail);
    const envelope = decoded.value;
    const ref = { shopDomain: envelope.shopDomain, webhookId: envelope.webhookId };
    const { shopifyTopic } = envelope;
    const known =
      LEVEL_TOPICS.has(shopifyTopic) ||
      ITEM_TOPICS.has(shopifyTopic) ||
      isPrivacyWebhookTopic(shopifyTopic);
    if (!known) return { kind: 'ignored' };
    if (isPrivacyWebhookTopic(shopifyTopic)) {
      // Nothing of the payload is needed (nor kept): inventory holds no personal data.
      return { kind: 'event', event: { kind: 'compliance', ref, shopifyTopic } };
    }
    if (LEVEL_TOPICS.has(shopifyTopic)) {
      const level = decodeInventoryLevelUpdate(envelope);
      if (!level.ok) return reject(level.reason, level.detail, envelope.webhookId);
      return { kind: 'event', event: { kind: 'level', ref, level: level.value } };
    }
    const item = decodeInventoryItemUpdate(envelope);
    if (!item.ok) return reject(item.reason, item.detail, envelope.webhookId);
    return { kind: 'event', event: { kind: 'item', ref, item: item.value } };
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
          'inventory consumer could not start; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
