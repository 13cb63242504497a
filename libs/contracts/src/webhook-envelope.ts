import {
  accepted,
  decodeFields,
  decodeJson,
  rejected,
  type Decoded,
  type ExactJson,
} from './decoding';
import { isShopDomain } from './shop-domain';

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

function header(headers: KafkaHeaders | undefined, name: string): string | null {
  const value = headers?.[name];
  if (value === undefined) return null;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return null;
  return typeof first === 'string' ? first : first.toString('utf8');
}

function readEnvelope(message: {
  value: Buffer | null;
  headers?: KafkaHeaders;
}): WebhookEnvelope | null {
  const webhookId = header(message.headers, EnvelopeHeader.WebhookId);
  const shopifyTopic = header(message.headers, EnvelopeHeader.ShopifyTopic);
  const shopDomain = header(message.headers, EnvelopeHeader.ShopDomain);
  if (!webhookId || !shopifyTopic || !shopDomain || !message.value) return null;
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

/**
 * The one reading of a Kafka message as a webhook envelope, for every consumer: refused with
 * 'envelope' when the webhook id, topic, shop domain or value is missing, and 'shop_domain' when
 * the shop is not a `*.myshopify.com` domain (the tenancy key of everything written after).
 */
export function decodeWebhookMessage(message: {
  value: Buffer | null;
  headers?: KafkaHeaders;
}): Decoded<WebhookEnvelope> {
  const envelope = readEnvelope(message);
  if (!envelope)
    return rejected(
      'envelope',
      'message is not a webhook envelope: webhook id, topic, shop domain and value are required',
    );
  if (!isShopDomain(envelope.shopDomain))
    return rejected('shop_domain', 'shop domain is not *.myshopify.com');
  return accepted(envelope);
}

/**
 * Reads a webhook's body with `read`, which takes the exactly parsed JSON and throws
 * `FieldError` (through the `field` readers) when the body does not fit: refused with 'json' or
 * 'payload'. The projection each consumer reads of Shopify's payloads is written this way.
 */
export function decodeWebhookPayload<T>(
  envelope: Pick<WebhookEnvelope, 'payload'>,
  read: (json: ExactJson) => T,
): Decoded<T> {
  const json = decodeJson(envelope.payload, true);
  if (!json.ok) return json;
  return decodeFields('payload', () => read(json.value as ExactJson));
}
