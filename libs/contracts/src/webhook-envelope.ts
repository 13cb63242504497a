/**
 * A Shopify webhook as it travels on Kafka. The message value is the request body exactly as
 * Shopify sent it — the same bytes its HMAC was computed over, with IDs above 2^53 untouched —
 * and everything else travels in message headers. Consumers therefore never have to trust a
 * re-serialised payload, and a dead letter or replay can carry the original bytes.
 */
export interface WebhookEnvelope {
  /** `X-Shopify-Webhook-Id`: unique per delivery, the deduplication key. */
  webhookId: string;
  /** `X-Shopify-Event-Id`: shared by every delivery caused by one merchant action, when sent. */
  eventId: string | null;
  /** `X-Shopify-Topic`, e.g. `orders/updated`. */
  shopifyTopic: string;
  /** `X-Shopify-Shop-Domain`, e.g. `acme.myshopify.com`. */
  shopDomain: string;
  /** `X-Shopify-API-Version`, e.g. `2026-10`. */
  apiVersion: string | null;
  /** `X-Shopify-Triggered-At` as sent (ISO 8601), when sent. */
  triggeredAt: string | null;
  /** When the gateway received the request (ISO 8601). */
  receivedAt: string;
  /** The raw request body. */
  payload: Buffer;
}

/** Kafka header names for the envelope's fields. Trace context uses the W3C `traceparent`. */
export const EnvelopeHeader = {
  WebhookId: 'shopify-webhook-id',
  EventId: 'shopify-event-id',
  ShopifyTopic: 'shopify-topic',
  ShopDomain: 'shopify-shop-domain',
  ApiVersion: 'shopify-api-version',
  TriggeredAt: 'shopify-triggered-at',
  ReceivedAt: 'shopwire-received-at',
  ContentType: 'content-type',
} as const;

export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** Headers for the envelope; only fields that are present are written. */
export function envelopeHeaders(
  envelope: Omit<WebhookEnvelope, 'payload'>,
): Record<string, string> {
  const headers: Record<string, string> = {
    [EnvelopeHeader.WebhookId]: envelope.webhookId,
    [EnvelopeHeader.ShopifyTopic]: envelope.shopifyTopic,
    [EnvelopeHeader.ShopDomain]: envelope.shopDomain,
    [EnvelopeHeader.ReceivedAt]: envelope.receivedAt,
    [EnvelopeHeader.ContentType]: 'application/json',
  };
  if (envelope.eventId) headers[EnvelopeHeader.EventId] = envelope.eventId;
  if (envelope.apiVersion) headers[EnvelopeHeader.ApiVersion] = envelope.apiVersion;
  if (envelope.triggeredAt) headers[EnvelopeHeader.TriggeredAt] = envelope.triggeredAt;
  return headers;
}

export class EnvelopeDecodeError extends Error {
  override readonly name = 'EnvelopeDecodeError';
}

function header(headers: KafkaHeaders | undefined, name: string): string | null {
  const value = headers?.[name];
  if (value === undefined) return null;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return null;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** Rebuilds the envelope from a Kafka message; throws `EnvelopeDecodeError` if it is not one. */
export function decodeEnvelope(message: {
  value: Buffer | null;
  headers?: KafkaHeaders;
}): WebhookEnvelope {
  const webhookId = header(message.headers, EnvelopeHeader.WebhookId);
  const shopifyTopic = header(message.headers, EnvelopeHeader.ShopifyTopic);
  const shopDomain = header(message.headers, EnvelopeHeader.ShopDomain);
  if (!webhookId || !shopifyTopic || !shopDomain || !message.value) {
    throw new EnvelopeDecodeError(
      'message is not a webhook envelope: webhook id, topic, shop domain and value are required',
    );
  }
  return {
    webhookId,
    eventId: header(message.headers, EnvelopeHeader.EventId),
    shopifyTopic,
    shopDomain,
    apiVersion: header(message.headers, EnvelopeHeader.ApiVersion),
    triggeredAt: header(message.headers, EnvelopeHeader.TriggeredAt),
    receivedAt: header(message.headers, EnvelopeHeader.ReceivedAt) ?? new Date(0).toISOString(),
    payload: message.value,
  };
}
