import { Inject, Injectable } from '@nestjs/common';
import {
  crossCheckShopWebhook,
  envelopeHeaders,
  isCrossCheckedWebhookTopic,
  messageKey,
  isConsumedTopic,
  routeWebhook,
  WebhookPayloadError,
} from '@shopwire/contracts';
import { SERVICE_CONFIG } from '@shopwire/config';
import { ProducerUnavailableError, type OutgoingMessage } from '@shopwire/kafka';
import { context, injectTraceHeaders, SpanKind, tracer, trace } from '@shopwire/observability';
import {
  jsonIdField,
  missingWebhookHeaders,
  parseShopifyJson,
  readWebhookHeaders,
  verifyWebhookHmac,
  type IncomingHeaders,
} from '@shopwire/shopify';
import type { GatewayConfig } from '../config';
import { GatewayMetrics } from './gateway-metrics';
import { RecentDeliveries } from './recent-deliveries';
import { passesForUninstalledShop, UninstalledShops } from './uninstalled-shops';
import { WebhookRejection } from './webhook-rejection';

/** Where accepted webhooks are written; the batching Kafka producer in production. */
export interface WebhookSink {
  send(message: OutgoingMessage): Promise<void>;
}
export const WEBHOOK_SINK = Symbol('WEBHOOK_SINK');
/** `UninstalledShops`, or null when no REDIS_URL is configured (nothing is dropped). */
export const UNINSTALLED_SHOPS = Symbol('UNINSTALLED_SHOPS');

/**
 * `dropped`: answered 200 without a write — the app is not installed on the shop, or no service
 * reads the topic's family.
 */
export type IntakeOutcome = 'accepted' | 'duplicate' | 'dropped';

const EMPTY = Buffer.alloc(0);
const webhookTracer = tracer('shopwire.gateway');

/**
 * Turns an HTTP delivery into a durable Kafka message, or refuses it with a reason.
 * Checks run cheapest-first and authentication before anything else, so an unsigned request
 * learns nothing about what else is wrong with it. Nothing is written unless every check passed,
 * and the caller hears "accepted" only once Kafka has acknowledged the write.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly recent: RecentDeliveries | null;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(WEBHOOK_SINK) private readonly sink: WebhookSink,
    private readonly metrics: GatewayMetrics,
    @Inject(UNINSTALLED_SHOPS) private readonly uninstalled: UninstalledShops | null,
  ) {
    this.recent = config.DEDUPE_ENABLED ? new RecentDeliveries(config.DEDUPE_CACHE_SIZE) : null;
  }

  async accept(
    headers: IncomingHeaders,
    body: Buffer | undefined,
    receivedAt: Date,
  ): Promise<IntakeOutcome> {
    const webhook = readWebhookHeaders(headers);
    if (!verifyWebhookHmac(body ?? EMPTY, webhook.hmac, this.config.SHOPIFY_WEBHOOK_SECRETS)) {
      throw new WebhookRejection(
        'bad_hmac',
        'HMAC signature is missing or does not match the body',
      );
    }
    const problems = missingWebhookHeaders(webhook);
    if (problems.length > 0) throw new WebhookRejection('bad_headers', problems.join('; '));
    if (!body || body.length === 0) throw new WebhookRejection('bad_json', 'body is empty');

    // JSON.parse only validates (it is the fastest check there is); its numbers are not used,
    // because it rounds IDs above 2^53. The key's id is read exactly from the text instead.
    const text = body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new WebhookRejection('bad_json', 'body is not valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new WebhookRejection('bad_json', 'body must be a JSON object');
    }

    // The checks above guarantee these three are present.
    const topic = webhook.topic as string;
    const shopDomain = webhook.shopDomain as string;
    const webhookId = webhook.webhookId as string;
    if (isCrossCheckedWebhookTopic(topic)) checkPayloadAgainstHeaders(topic, shopDomain, text);

    // Authenticated and well-formed, but for a shop the app is gone from: Shopify gets its 200
    // (a refusal would only be retried), nothing is written. Compliance and app/* still pass.
    const route = routeWebhook(topic);
    // No service reads this family (customers/*, bulk_operations/*, unknown topics): written, it
    // would only keep the payload's personal data on Kafka for nobody. Answered 200 all the same,
    // so Shopify does not retry it into a deleted subscription.
    if (!isConsumedTopic(route.kafkaTopic)) {
      this.metrics.dropped.inc({ reason: 'not_consumed' });
      return 'dropped';
    }

    if (
      this.uninstalled &&
      !passesForUninstalledShop(topic) &&
      (await this.uninstalled.isUninstalled(shopDomain))
    ) {
      this.metrics.dropped.inc({ reason: 'shop_uninstalled' });
      return 'dropped';
    }

    const dedupeKey = `${shopDomain} ${webhookId}`;
    const seen = this.recent?.get(dedupeKey);
    if (seen !== undefined) {
      if (seen !== true) await this.awaitWrite(seen);
      this.metrics.duplicates.inc();
      return 'duplicate';
    }

    const resourceId = route.keyPath ? jsonIdField(text, route.keyPath.split('.')) : null;
    const span = webhookTracer.startSpan('webhook receive', {
      kind: SpanKind.SERVER,
      attributes: {
        'shopify.topic': topic,
        'shopify.shop_domain': shopDomain,
        'shopify.webhook_id': webhookId,
        'messaging.destination.name': route.kafkaTopic,
      },
    });
    const messageHeaders = envelopeHeaders({
      webhookId,
      eventId: webhook.eventId,
      shopifyTopic: topic,
      shopDomain,
      apiVersion: webhook.apiVersion,
      triggeredAt: webhook.triggeredAt,
      receivedAt: receivedAt.toISOString(),
    });
    injectTraceHeaders(messageHeaders, trace.setSpan(context.active(), span));

    const write = this.sink.send({
      topic: route.kafkaTopic,
      key: messageKey(shopDomain, resourceId),
      value: body,
      headers: messageHeaders,
    });
    try {
      await this.awaitWrite(this.recent ? this.recent.track(dedupeKey, write) : write);
    } finally {
      span.end();
    }
    this.metrics.accepted.inc({ kafka_topic: route.kafkaTopic });
    return 'accepted';
  }

  private async awaitWrite(write: Promise<void>): Promise<void> {
    try {
      await write;
    } catch (error) {
      if (error instanceof ProducerUnavailableError) {
        throw new WebhookRejection(
          'kafka_unavailable',
          'the event log is unavailable; retry later',
        );
      }
      throw error;
    }
  }
}

/**
 * `shop/*`, `customers/*` and `app/*` act on a whole shop or a person (erase, export, uninstall),
 * and Shopify signs only the body: the payload's shop must be the header's and its shape the
 * topic's, or a captured signed body could be replayed against another shop or as another topic.
 * These topics are rare, so the exact (ID-preserving) parse costs nothing that matters.
 */
function checkPayloadAgainstHeaders(topic: string, shopDomain: string, text: string): void {
  try {
    crossCheckShopWebhook(topic, shopDomain, parseShopifyJson(text));
  } catch (error) {
    if (!(error instanceof WebhookPayloadError)) throw error;
    throw new WebhookRejection(
      error.problem === 'shop_mismatch' ? 'shop_mismatch' : 'payload_shape',
      `payload does not fit ${topic}: ${error.message}`,
    );
  }
}
