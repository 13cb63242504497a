import { Controller, Inject } from '@nestjs/common';
import {
  ConsumerGroup,
  decodeOrderWebhook,
  decodeWebhookMessage,
  ShopifyKafkaTopic,
  type WebhookEnvelope,
  webhookFamily,
} from '@shopwire/contracts';
import { ConsumeChunks, type ConsumerChunk } from '@shopwire/kafka';
import { extractTraceContext, type Logger } from '@shopwire/observability';
import type { KafkaMessage } from 'kafkajs';
import { ORDER_LOGGER } from '../order.tokens';
import type { RejectReason } from './orders.metrics';
import { OrdersService, type OrderEvent } from './orders.service';
import { PrivacyService } from '../privacy/privacy.service';

type Decoded =
  | { kind: 'order'; event: OrderEvent }
  | { kind: 'ignored'; envelope: WebhookEnvelope }
  | {
      kind: 'rejected';
      reason: RejectReason;
      detail: string;
      offset: string;
      envelope: WebhookEnvelope | null;
      message: KafkaMessage;
    };

/**
 * Reads `shopify.orders.v1`: turns each message into an order event (or a reason to refuse it)
 * and hands the chunk's events to `OrdersService` to apply in one transaction. A message that is
 * not a valid order (its signature was checked at the gateway, so its bytes are what Shopify sent)
 * goes to the DLQ with the reason once the rest has committed, rather than vanishing; it is logged
 * by webhook id and offset only — payloads hold customer data — and counted.
 */
@Controller()
export class OrdersConsumer {
  constructor(
    @Inject(ORDER_LOGGER) private readonly logger: Logger,
    private readonly service: OrdersService,
    private readonly privacy: PrivacyService,
  ) {}

  // One consumer and group for both topics: two consumers sharing a group id with different
  // subscriptions would let the group's assignor hand a partition to a member not reading it.
  // What keeps failing after bounded retries goes to the retry topic, then the DLQ (docs/adr/0002);
  // outages are waited out in place. Group id, concurrency and chunk size: CoreModule's config.
  @ConsumeChunks({
    group: ConsumerGroup.Order,
    topics: [ShopifyKafkaTopic.Orders, ShopifyKafkaTopic.Compliance],
  })
  async handleChunk(messages: KafkaMessage[], context: ConsumerChunk): Promise<void> {
    if (context.topic === ShopifyKafkaTopic.Compliance) {
      await this.privacy.handleChunk(messages, context);
      return;
    }
    const decoded = messages.map((message) => this.decode(message));
    const events = decoded.flatMap((d) => (d.kind === 'order' ? [d.event] : []));
    if (events.length > 0) await this.service.applyEvents(events);
    for (const d of decoded) {
      if (d.kind === 'ignored') {
        context.ignored(webhookFamily(d.envelope.shopifyTopic));
      } else if (d.kind === 'rejected') {
        const parked = context.rejected(d.message, d.reason, d.detail);
        this.logger.warn(
          {
            topic: context.topic,
            partition: context.partition,
            offset: d.offset,
            reason: d.reason,
            detail: d.detail,
            webhookId: d.envelope?.webhookId,
            shopifyTopic: d.envelope?.shopifyTopic,
          },
          parked
            ? 'message on the orders topic is not a valid order; dead-lettered'
            : 'message on the orders topic is not a valid order; skipped',
        );
      }
    }
  }

  private decode(message: KafkaMessage): Decoded {
    const decoded = decodeWebhookMessage(message);
    if (!decoded.ok)
      return {
        kind: 'rejected',
        reason: decoded.reason,
        detail: decoded.detail,
        offset: message.offset,
        envelope: null,
        message,
      };
    const envelope = decoded.value;
    const reject = (reason: RejectReason, detail: string): Decoded => ({
      kind: 'rejected',
      reason,
      detail,
      offset: message.offset,
      envelope,
      message,
    });
    const read = decodeOrderWebhook(envelope);
    if (!read.ok) return reject(read.reason, read.detail);
    const order = read.value;
    if (order === null) return { kind: 'ignored', envelope };
    return {
      kind: 'order',
      event: {
        meta: {
          shopDomain: envelope.shopDomain,
          webhookId: envelope.webhookId,
          shopifyTopic: envelope.shopifyTopic,
          receivedAt: envelope.receivedAt,
        },
        order,
        offset: message.offset,
        trace: extractTraceContext(message.headers),
      },
    };
  }
}
