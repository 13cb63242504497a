import type { order as OrderApi } from '@shopwire/api-client';
import type { Client } from 'openapi-fetch';
import { decodeCursor, encodeCursor, type CrossCursor } from '../services/cross-cursor';
import {
  CONSUMER_SERVICES,
  outcome,
  type ConsumerService,
  type Outcome,
  type ServiceClients,
} from '../services/upstream';

/**
 * One consumer's record of one delivery, as each consumer service's `GET /deliveries` answers it
 * (scope `deliveries:read`), typed by the generated client. Every consumer service mounts the same
 * libs/deliveries controller, so the order service's schema is everyone's.
 */
export type DeliveryItem = OrderApi.components['schemas']['DeliveryDto'];
type DeliveryPaths = Pick<OrderApi.paths, '/deliveries'>;
export type DeliveryQueryParams = NonNullable<
  OrderApi.operations['DeliveriesController_list']['parameters']['query']
>;

/** The same route, typed alike, on every consumer service (see deadLetterClient). */
export function deliveriesClient(
  clients: ServiceClients,
  service: ConsumerService,
): Client<DeliveryPaths> {
  return clients[service] as unknown as Client<DeliveryPaths>;
}

export interface DeliveryQuery {
  shop?: string;
  webhookId?: string;
  resourceId?: string;
  topic?: string;
  from?: string;
  to?: string;
  outcome?: string;
}

/** Where the gateway put the webhook: the Kafka coordinates of a row read off a webhook topic. */
export interface Accepted {
  topic: string;
  partition: number;
  offset: string;
  at: string | null;
}

/** One webhook's journey: where the gateway put it, and what each consumer made of it. */
export interface Journey {
  webhookId: string;
  shop: string | null;
  topic: string | null;
  resourceId: string | null;
  /** Null when only domain-event rows matched (the webhook's own rows are on another page). */
  accepted: Accepted | null;
  traceId: string | null;
  consumers: DeliveryItem[];
}

// The gateway publishes webhooks onto shopify.* topics; the rest are domain events (outbox).
const isWebhookRow = (item: DeliveryItem) => item.kafka.topic.startsWith('shopify.');

/** Groups deliveries by webhook id, each journey's consumers in the order they processed it. */
export function journeys(items: DeliveryItem[]): Journey[] {
  const byWebhook = new Map<string, Journey>();
  for (const item of items) {
    // A row without a webhook (an event nothing traced to one) is its own journey.
    const key = item.webhookId ?? `event:${item.eventId}`;
    const journey = byWebhook.get(key) ?? {
      webhookId: key,
      shop: item.shop,
      topic: null,
      resourceId: null,
      accepted: null,
      traceId: null,
      consumers: [],
    };
    if (isWebhookRow(item)) {
      journey.topic ??= item.topic;
      journey.resourceId ??= item.resourceId;
      journey.accepted ??= { ...item.kafka, at: item.acceptedAt };
    }
    journey.shop ??= item.shop;
    journey.traceId ??= item.traceId;
    journey.consumers.push(item);
    byWebhook.set(key, journey);
  }
  // ISO times compare as plain strings (no locale collation).
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const newest = (journey: Journey) =>
    journey.consumers.reduce((max, c) => (c.processedAt > max ? c.processedAt : max), '');
  for (const journey of byWebhook.values()) {
    journey.consumers.sort((a, b) => compare(a.processedAt, b.processedAt));
    journey.topic ??= journey.consumers[0]?.topic ?? null;
    journey.resourceId ??= journey.consumers[0]?.resourceId ?? null;
  }
  return [...byWebhook.values()].sort((a, b) => compare(newest(b), newest(a)));
}

export interface DeliveriesPage {
  journeys: Journey[];
  notices: { service: ConsumerService | 'order'; kind: string; message: string }[];
  next: string | null;
}

export type DeliveriesFetch = (
  service: ConsumerService,
  query: DeliveryQueryParams,
) => Promise<Outcome<{ items: DeliveryItem[]; nextCursor: string | null }>>;

/** The typed `GET /deliveries` of each service, as the operator. */
export function typedDeliveriesFetch(clients: ServiceClients): DeliveriesFetch {
  return (service, query) =>
    outcome(() => deliveriesClient(clients, service).GET('/deliveries', { params: { query } }));
}

/**
 * A page of deliveries across the consumer services, each paged by its own cursor (as dead
 * letters are): the cursor holds only the services that had more.
 */
export async function deliveriesPage(
  query: DeliveryQuery,
  cursorValue: string | undefined,
  perService: number,
  fetchPage: DeliveriesFetch,
): Promise<DeliveriesPage> {
  const cursor = decodeCursor(cursorValue);
  const services = CONSUMER_SERVICES.filter(
    (service) => cursor === null || cursor[service] !== undefined,
  );
  const params: DeliveryQueryParams = { limit: perService };
  for (const [key, value] of Object.entries(query))
    if (value) (params as Record<string, unknown>)[key] = value;
  const answers = await Promise.all(
    services.map(async (service) => ({
      service,
      answer: await fetchPage(service, {
        ...params,
        ...(cursor?.[service] ? { cursor: cursor[service] } : {}),
      }),
    })),
  );
  const items: DeliveryItem[] = [];
  const next: CrossCursor = {};
  const notices: DeliveriesPage['notices'] = [];
  for (const { service, answer } of answers) {
    if (!answer.ok) {
      notices.push({ service, kind: answer.kind, message: answer.message });
      continue;
    }
    items.push(...answer.data.items);
    if (answer.data.nextCursor) next[service] = answer.data.nextCursor;
  }
  return { journeys: journeys(items), notices, next: encodeCursor(next) };
}

/**
 * An order name as the shop shows it (`#1234`) to the order's id, through the order service's
 * `GET /orders?name=` (a name is only unique within a shop, so the shop is needed).
 */
export async function orderIdByName(
  clients: ServiceClients,
  shop: string,
  name: string,
): Promise<Outcome<string | null>> {
  const found = await outcome(() =>
    clients.order.GET('/orders', { params: { query: { shop, name, limit: 1 } } }),
  );
  if (!found.ok) return found;
  return { ok: true, data: found.data.orders[0]?.id ?? null };
}

/** What the existing APIs show of a journey's effects on an order. */
export interface OrderEffects {
  order: Outcome<OrderApi.components['schemas']['OrderDto']>;
  notifications: Outcome<{ notifications: { template: string; status: string; id: string }[] }>;
  sync: Outcome<{
    status: string;
    attempts: number;
    synced_at: string | null;
    last_error: string | null;
  }>;
}

export async function orderEffects(
  clients: ServiceClients,
  shop: string,
  orderId: string,
): Promise<OrderEffects> {
  const [order, notifications, sync] = await Promise.all([
    outcome(() =>
      clients.order.GET('/orders/{id}', { params: { path: { id: orderId }, query: { shop } } }),
    ),
    outcome(() =>
      clients.notification.GET('/notifications/orders/{orderId}', {
        params: { path: { orderId }, query: { shop } },
      }),
    ),
    outcome(() =>
      clients.sync.GET('/sync/orders/{id}', { params: { path: { id: orderId }, query: { shop } } }),
    ),
  ]);
  return { order, notifications, sync };
}
