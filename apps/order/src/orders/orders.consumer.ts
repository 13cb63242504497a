import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  ConsumerGroup,
  decodeEnvelope,
  ShopifyKafkaTopic,
  type WebhookEnvelope,
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
import { extractTraceContext, type Logger } from '@shopwire/observability';
import { parseShopifyJson, ShopifyJsonError, type ShopifyJson } from '@shopwire/shopify';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { OrderConfig } from '../config';
import { ORDER_CONFIG, ORDER_KAFKA, ORDER_LOGGER, ORDER_PRODUCER } from '../order.tokens';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Registry } from '@shopwire/observability';
import { carriesOrder, isShopDomain, OrderPayloadError, parseOrderPayload } from './order-payload';
import { OrdersMetrics, type RejectReason } from './orders.metrics';
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
@Injectable()
export class OrdersConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly runner: ConsumerRunner;
  private starting: Promise<void> | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(ORDER_CONFIG) config: OrderConfig,
    @Inject(ORDER_KAFKA) kafka: Kafka,
    @Inject(ORDER_LOGGER) private readonly logger: Logger,
    private readonly service: OrdersService,
    private readonly metrics: OrdersMetrics,
    private readonly privacy: PrivacyService,
    @Inject(ORDER_PRODUCER) producer: BatchingProducer,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.runner = new ConsumerRunner({
      kafka,
      groupId: config.ORDER_CONSUMER_GROUP,
      // One runner and group for both: two runners sharing a group id with different
      // subscriptions would let the group's assignor hand a partition to a member not reading it.
      topics: [ShopifyKafkaTopic.Orders, ShopifyKafkaTopic.Compliance],
      logger: logger.child({ component: 'orders-consumer' }),
      partitionsConcurrently: config.ORDER_PARTITIONS_CONCURRENTLY,
      maxChunk: config.ORDER_MAX_CHUNK,
      handleBatch: (messages, context) => this.handleChunk(messages, context),
      // What keeps failing after bounded retries goes to the retry topic, then the DLQ
      // (docs/adr/0002); outages are waited out in place.
      deadLetters: { group: ConsumerGroup.Order, producer, registry },
      hooks: metrics.runnerHooks,
    });
  }

  get status(): ConsumerRunnerStatus {
    return this.runner.status;
  }

  /**
   * Starts in the background: with Kafka down at boot the HTTP side still answers (readiness
   * says not ready) and the consumer keeps trying, rather than the pod crash-looping.
   */
  onApplicationBootstrap(): void {
    this.starting = this.startUntilRunning();
  }

  /** Nest calls this on SIGTERM before the data source closes (onApplicationShutdown). */
  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    await this.starting;
    await this.runner.stop();
    this.logger.info('orders consumer stopped');
  }

  async handleChunk(messages: KafkaMessage[], context: ChunkContext): Promise<void> {
    if (context.topic === ShopifyKafkaTopic.Compliance) {
      await this.privacy.handleChunk(messages, context);
      return;
    }
    const decoded = messages.map((message) => this.decode(message));
    const events = decoded.flatMap((d) => (d.kind === 'order' ? [d.event] : []));
    if (events.length > 0) await this.service.applyEvents(events);
    for (const d of decoded) {
      if (d.kind === 'ignored') {
        this.metrics.ignored.inc({ family: d.envelope.shopifyTopic.split('/')[0].slice(0, 40) });
      } else if (d.kind === 'rejected') {
        this.metrics.rejected.inc({ reason: d.reason });
        const parked = deadLetterMalformed(context, d.message, d.reason, d.detail);
        this.logger.warn(
          {
            ...context,
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
    let envelope: WebhookEnvelope;
    try {
      envelope = decodeEnvelope(message);
    } catch (error) {
      return {
        kind: 'rejected',
        reason: 'envelope',
        detail: (error as Error).message,
        offset: message.offset,
        envelope: null,
        message,
      };
    }
    const reject = (reason: RejectReason, detail: string): Decoded => ({
      kind: 'rejected',
      reason,
      detail,
      offset: message.offset,
      envelope,
      message,
    });
    let json: ShopifyJson | undefined;
    const payload = (): ShopifyJson => (json ??= parseShopifyJson(envelope.payload));
    try {
      if (!carriesOrder(envelope.shopifyTopic, payload)) return { kind: 'ignored', envelope };
      if (!isShopDomain(envelope.shopDomain))
        return reject('shop_domain', 'shop domain is not *.myshopify.com');
      const order = parseOrderPayload(payload());
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
    } catch (error) {
      if (error instanceof OrderPayloadError) return reject('payload', error.message);
      // Not the parser's own message: it can quote a fragment of the body.
      if (error instanceof ShopifyJsonError) return reject('json', 'payload is not valid JSON');
      throw error;
    }
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
          'orders consumer could not start; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
