import { EnvelopeHeader, type KafkaHeaders } from './webhook-envelope';

/**
 * The delivery journal (docs/adr/0011): per consumer group and message, what happened to it.
 * Written by the consumer services into their own schema, read by the console through each
 * service's `GET /deliveries`. It names a message and its fate, never its payload: no personal
 * data, and no error text (a database error's message can quote the row it refused).
 */
export const DELIVERY_OUTCOMES = [
  'applied',
  'stale',
  'duplicate',
  'retrying',
  'dead-lettered',
] as const;

export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** Header names on domain event messages, so a consumer can route and dedupe before parsing. */
export const DomainEventHeader = {
  EventId: 'shopwire-event-id',
  EventType: 'shopwire-event-type',
  /** The webhook (or event) that caused it, when there is one. */
  CausationId: 'shopwire-causation-id',
  ContentType: 'content-type',
} as const;

/** Who a message is, read from its headers and key (the value only for events sent without them). */
export interface DeliveryIdentity {
  /** The inbox key: the webhook id for webhook topics, the event id for domain events. */
  eventId: string;
  /** The webhook at the start of the chain: itself, or a domain event's `causationId`. */
  webhookId: string | null;
  shop: string | null;
  /** The Shopify topic (`orders/updated`) or the domain event type (`orders.order.accepted`). */
  topic: string | null;
  /** From the key `<shop>/<id>`: the order, item, product… the message is about. */
  resourceId: string | null;
}

/** One journal row as the consumer side writes it (the outcome and times are the database's). */
export interface DeliveryRecord extends DeliveryIdentity {
  /** The logical consumer group (`ConsumerGroup.*`), e.g. `order`. */
  group: string;
  kafka: { topic: string; partition: number; offset: string };
  /** The Kafka message timestamp: accepted by the gateway, or produced by the outbox. */
  acceptedAt: Date | null;
  /** Delivery rounds including this one (1 for a first delivery). */
  attempts: number;
  traceId: string | null;
}

interface MessageLike {
  key: Buffer | string | null;
  value: Buffer | null;
  headers?: KafkaHeaders;
}

function header(headers: KafkaHeaders | undefined, name: string): string | null {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return null;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** The trace id of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`), if valid. */
export function traceIdOf(headers: KafkaHeaders | undefined): string | null {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(
    header(headers, 'traceparent') ?? '',
  );
  return match && !/^0+$/.test(match[1]) ? match[1] : null;
}

function splitKey(key: Buffer | string | null): { shop: string | null; resourceId: string | null } {
  if (key === null) return { shop: null, resourceId: null };
  const text = typeof key === 'string' ? key : key.toString('utf8');
  const slash = text.indexOf('/');
  return slash < 0
    ? { shop: text || null, resourceId: null }
    : { shop: text.slice(0, slash), resourceId: text.slice(slash + 1) || null };
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

/**
 * Who a message is, or null when it is neither a webhook envelope nor a domain event. Headers
 * first: a webhook's are its envelope, a domain event's carry its id, type and cause, so the hot
 * path never parses a value for this. Only a domain event published without them (before they
 * existed) has its JSON read.
 */
export function deliveryIdentityOf(message: MessageLike): DeliveryIdentity | null {
  const keyed = splitKey(message.key);
  const webhookId = header(message.headers, EnvelopeHeader.WebhookId);
  if (webhookId) {
    return {
      eventId: webhookId,
      webhookId,
      shop: header(message.headers, EnvelopeHeader.ShopDomain) ?? keyed.shop,
      topic: header(message.headers, EnvelopeHeader.ShopifyTopic),
      resourceId: keyed.resourceId,
    };
  }
  const eventId = header(message.headers, DomainEventHeader.EventId);
  if (eventId) {
    return {
      eventId,
      webhookId: header(message.headers, DomainEventHeader.CausationId),
      shop: keyed.shop,
      topic: header(message.headers, DomainEventHeader.EventType),
      resourceId: keyed.resourceId,
    };
  }
  if (!message.value) return null;
  try {
    const event = JSON.parse(message.value.toString('utf8')) as Record<string, unknown>;
    const id = text(event?.eventId);
    if (!id) return null;
    return {
      eventId: id,
      webhookId: text(event.causationId),
      shop: text(event.shopDomain) ?? keyed.shop,
      topic: text(event.type),
      resourceId: text(event.aggregateId) ?? keyed.resourceId,
    };
  } catch {
    return null;
  }
}
