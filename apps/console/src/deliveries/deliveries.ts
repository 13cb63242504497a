import { decodeCursor, encodeCursor, type CrossCursor } from '../services/cross-cursor';
import { CONSUMER_SERVICES, type ConsumerService, type Outcome } from '../services/upstream';

/**
 * One consumer's record of one delivery, as each consumer service's `GET /deliveries` answers it
 * (scope `deliveries:read`). The endpoint is not in the services' published OpenAPI yet, so it is
 * typed here from its agreed shape; once it is, the generated client replaces this.
 */
export interface DeliveryItem {
  service: string;
  consumer: string;
  webhookId: string;
  eventId: string | null;
  shop: string;
  topic: string;
  resourceId: string | null;
  kafka: { topic: string; partition: number; offset: string };
  acceptedAt: string;
  processedAt: string | null;
  outcome: string;
  attempts: number;
  error: string | null;
  traceId: string | null;
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

/** One webhook's journey: where the gateway put it, and what each consumer made of it. */
export interface Journey {
  webhookId: string;
  shop: string;
  topic: string;
  resourceId: string | null;
  kafka: DeliveryItem['kafka'];
  acceptedAt: string;
  traceId: string | null;
  consumers: DeliveryItem[];
}

/** Groups deliveries by webhook id, each journey's consumers in the order they processed it. */
export function journeys(items: DeliveryItem[]): Journey[] {
  const byWebhook = new Map<string, Journey>();
  for (const item of items) {
    const journey = byWebhook.get(item.webhookId) ?? {
      webhookId: item.webhookId,
      shop: item.shop,
      topic: item.topic,
      resourceId: item.resourceId,
      kafka: item.kafka,
      acceptedAt: item.acceptedAt,
      traceId: item.traceId,
      consumers: [],
    };
    journey.traceId ??= item.traceId;
    journey.consumers.push(item);
    byWebhook.set(item.webhookId, journey);
  }
  // Not processed yet goes last. ISO times compare as plain strings (no locale collation).
  const order = (time: string | null) => time ?? '\uffff';
  for (const journey of byWebhook.values())
    journey.consumers.sort((a, b) =>
      order(a.processedAt) < order(b.processedAt)
        ? -1
        : order(a.processedAt) > order(b.processedAt)
          ? 1
          : 0,
    );
  return [...byWebhook.values()].sort((a, b) =>
    a.acceptedAt < b.acceptedAt ? 1 : a.acceptedAt > b.acceptedAt ? -1 : 0,
  );
}

export interface DeliveriesPage {
  journeys: Journey[];
  notices: { service: ConsumerService; kind: string; message: string }[];
  next: string | null;
}

export type DeliveriesFetch = (
  service: ConsumerService,
  query: Record<string, string>,
) => Promise<Outcome<{ items: DeliveryItem[]; nextCursor: string | null }>>;

/**
 * A page of deliveries across the consumer services, each paged by its own cursor (as dead
 * letters are). A service answering 404 does not serve deliveries yet and is named as such.
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
  const params: Record<string, string> = { limit: String(perService) };
  for (const [key, value] of Object.entries(query)) if (value) params[key] = value;
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
      notices.push({
        service,
        kind: answer.kind,
        message:
          answer.kind === 'not-found' ? 'does not serve GET /deliveries yet' : answer.message,
      });
      continue;
    }
    items.push(...answer.data.items);
    if (answer.data.nextCursor) next[service] = answer.data.nextCursor;
  }
  return { journeys: journeys(items), notices, next: encodeCursor(next) };
}
