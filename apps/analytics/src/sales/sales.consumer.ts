import { Controller, Inject } from '@nestjs/common';
import {
  ConsumerGroup,
  decodeOrderEvent,
  decodeWebhookMessage,
  isPrivacyWebhookTopic,
  ShopifyKafkaTopic,
  SUBSCRIPTIONS,
  webhookFamily,
} from '@shopwire/contracts';
import { ConsumeChunks, type ConsumerChunk } from '@shopwire/kafka';
import type { Logger } from '@shopwire/observability';
import type { KafkaMessage } from 'kafkajs';
import { SERVICE_LOGGER } from '@shopwire/service-runtime';
import { salesOrderEvent } from './order-event';
import type { RejectReason } from './sales.metrics';
import { SalesService, type AnalyticsEvent } from './sales.service';

type Decoded =
  | { kind: 'event'; event: AnalyticsEvent }
  | { kind: 'ignored'; family: string }
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
@Controller()
export class SalesConsumer {
  constructor(
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly service: SalesService,
  ) {}

  // Bounded retries, then the retry topic and the DLQ (docs/adr/0002); outages wait in place.
  // Group id, concurrency and chunk size: CoreModule's config.
  @ConsumeChunks({ group: ConsumerGroup.Analytics, topics: [...SUBSCRIPTIONS.analytics] })
  async handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    const decoded = messages.map((message) => this.decode(chunk.topic, message));
    const events = decoded.flatMap((d) => (d.kind === 'event' ? [d.event] : []));
    if (events.length > 0) await this.service.applyEvents(events);
    for (const d of decoded) {
      if (d.kind === 'ignored') chunk.ignored(d.family);
      else if (d.kind === 'rejected') {
        const parked = chunk.rejected(d.message, d.reason, d.detail);
        this.logger.warn(
          {
            topic: chunk.topic,
            partition: chunk.partition,
            offset: d.offset,
            reason: d.reason,
            detail: d.detail,
          },
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
    if (!isPrivacyWebhookTopic(envelope.shopifyTopic)) {
      // Counted by the webhook's family (`app`, `shop`…).
      return { kind: 'ignored', family: webhookFamily(envelope.shopifyTopic) };
    }
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
}
