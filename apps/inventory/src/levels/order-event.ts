import { DomainTopic } from '@shopwire/contracts';
import { z } from '@shopwire/config';
import { isPositiveId, isShopDomain } from './inventory-payload';

/** What inventory needs of an order domain event: which order, which lines, accepted or cancelled. */
export interface OrderCommitmentEvent {
  kind: 'accepted' | 'cancelled';
  eventId: string;
  shopDomain: string;
  orderId: string;
  /** The order's `updated_at` normalised to UTC, for the state row. */
  version: string;
  lines: { variantId: string | null; sku: string | null; quantity: number }[];
}

export class OrderEventError extends Error {
  override readonly name = 'OrderEventError';
}

const id = z.string().refine(isPositiveId, 'must be a positive integer id as a string');
const orderEventSchema = z.object({
  eventId: z.string().min(1).max(200),
  shopDomain: z.string().refine(isShopDomain, 'must be a *.myshopify.com domain'),
  aggregateVersion: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a timestamp'),
  data: z.object({
    order: z.object({
      id,
      cancelledAt: z.string().nullable().optional(),
      lineItems: z.array(
        z.object({
          variantId: id.nullable().optional(),
          sku: z.string().max(1000).nullable().optional(),
          quantity: z.number().int().min(0).max(2147483647),
        }),
      ),
    }),
  }),
});

const KIND_BY_TOPIC: Record<string, OrderCommitmentEvent['kind']> = {
  [DomainTopic.OrderAccepted]: 'accepted',
  [DomainTopic.OrderCancelled]: 'cancelled',
};

export function isOrderCommitmentTopic(topic: string): boolean {
  return topic in KIND_BY_TOPIC;
}

/**
 * Reads an `orders.order.accepted|cancelled.v1` value. Domain events carry IDs as strings, so
 * plain JSON parsing is exact; the error names the offending path, never a value.
 */
export function parseOrderEvent(topic: string, value: Buffer | null): OrderCommitmentEvent {
  const kind = KIND_BY_TOPIC[topic];
  if (!kind) throw new OrderEventError(`not an order commitment topic: ${topic}`);
  if (!value) throw new OrderEventError('message has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    throw new OrderEventError('value is not valid JSON');
  }
  const parsed = orderEventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrderEventError(`${issue.path.join('.') || 'value'} ${issue.message}`);
  }
  const event = parsed.data;
  return {
    // An order whose first known state is already cancelled is announced as accepted and then
    // cancelled; reading that accepted as a cancellation means it never reserves, not even for
    // the moment between the two (which could otherwise publish a false low-stock event).
    kind: kind === 'accepted' && event.data.order.cancelledAt ? 'cancelled' : kind,
    eventId: event.eventId,
    shopDomain: event.shopDomain,
    orderId: event.data.order.id,
    version: new Date(event.aggregateVersion).toISOString(),
    lines: event.data.order.lineItems.map((line) => ({
      variantId: line.variantId ?? null,
      sku: line.sku === undefined || line.sku === null || line.sku.trim() === '' ? null : line.sku,
      quantity: line.quantity,
    })),
  };
}
