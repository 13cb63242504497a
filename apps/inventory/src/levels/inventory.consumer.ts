import { Controller, Inject } from '@nestjs/common';
import {
  ConsumerGroup,
  decodeInventoryItemUpdate,
  decodeInventoryLevelUpdate,
  decodeOrderEvent,
  decodeWebhookMessage,
  DomainTopic,
  isPrivacyWebhookTopic,
  SUBSCRIPTIONS,
  webhookFamily,
} from '@shopwire/contracts';
import { ConsumeChunks, type ConsumerChunk } from '@shopwire/kafka';
import type { Logger } from '@shopwire/observability';
import type { KafkaMessage } from 'kafkajs';
import { SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { RejectReason } from './inventory.metrics';
import { InventoryService, type InventoryEvent } from './inventory.service';
import { orderCommitment } from './order-event';

const LEVEL_TOPICS = new Set(['inventory_levels/update', 'inventory_levels/connect']);
const ITEM_TOPICS = new Set(['inventory_items/create', 'inventory_items/update']);

type Decoded =
  | { kind: 'event'; event: InventoryEvent }
  /** `reason`: a bounded label (the webhook's family, or why an order event carries nothing). */
  | { kind: 'ignored'; reason: string }
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
@Controller()
export class InventoryConsumer {
  constructor(
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly service: InventoryService,
  ) {}

  // Bounded retries, then the retry topic and the DLQ (docs/adr/0002); outages wait in place.
  // Group id, concurrency and chunk size: CoreModule's config.
  @ConsumeChunks({ group: ConsumerGroup.Inventory, topics: [...SUBSCRIPTIONS.inventory] })
  async handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    const decoded = messages.map((message) => this.decode(chunk.topic, message));
    const events = decoded.flatMap((d) => (d.kind === 'event' ? [d.event] : []));
    if (events.length > 0) await this.service.applyEvents(events);
    for (const d of decoded) {
      if (d.kind === 'ignored') chunk.ignored(d.reason);
      else if (d.kind === 'rejected') {
        const parked = chunk.rejected(d.message, d.reason, d.detail);
        this.logger.warn(
          {
            topic: chunk.topic,
            partition: chunk.partition,
            offset: d.offset,
            reason: d.reason,
            detail: d.detail,
            id: d.id,
          },
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
      return order
        ? { kind: 'event', event: { kind: 'order', order } }
        : { kind: 'ignored', reason: 'no_commitment' };
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
    if (!known) return { kind: 'ignored', reason: webhookFamily(shopifyTopic) };
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
}
