import { DomainTopic, isShopDomain } from '@shopwire/contracts';
import { z } from '@shopwire/config';

/**
 * What analytics reads of an order domain event. Only these fields are taken: the zod schema
 * drops everything else (email, customer, addresses), so personal data never reaches this
 * service's memory beyond parsing, let alone its tables.
 */
export interface SalesOrderEvent {
  kind: 'accepted' | 'updated' | 'cancelled';
  eventId: string;
  shopDomain: string;
  /** aggregateVersion (the order's updated_at), normalised to UTC ISO. */
  version: string;
  order: {
    id: string;
    currency: string | null;
    totalPrice: string | null;
    totalTax: string | null;
    totalDiscounts: string | null;
    createdAt: string | null;
    cancelledAt: string | null;
    test: boolean;
    lineItems: SalesLine[];
  };
}

export interface SalesLine {
  productId: string | null;
  sku: string | null;
  title: string | null;
  quantity: number;
  price: string | null;
}

export class OrderEventError extends Error {
  override readonly name = 'OrderEventError';
}

const BIGINT_MAX = 9223372036854775807n;
export const isPositiveId = (v: string) =>
  /^\d{1,19}$/.test(v) && BigInt(v) > 0n && BigInt(v) <= BIGINT_MAX;
export const DECIMAL = /^-?\d{1,30}(\.\d{1,20})?$/;
export { isShopDomain };

const id = z.string().refine(isPositiveId, 'must be a positive integer id as a string');
const money = z.string().regex(DECIMAL, 'must be a decimal string').nullable().optional();
const timestamp = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a timestamp')
  .nullable()
  .optional();
const text = z.string().max(10_000).nullable().optional();

const schema = z.object({
  eventId: z.string().min(1).max(200),
  shopDomain: z.string().refine(isShopDomain, 'must be a *.myshopify.com domain'),
  aggregateVersion: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a timestamp'),
  data: z.object({
    order: z.object({
      id,
      currency: z.string().max(10).nullable().optional(),
      totalPrice: money,
      totalTax: money,
      totalDiscounts: money,
      createdAt: timestamp,
      cancelledAt: timestamp,
      test: z.boolean().optional(),
      lineItems: z.array(
        z.object({
          productId: id.nullable().optional(),
          sku: text,
          title: text,
          quantity: z.number().int().min(0).max(2147483647),
          price: money,
        }),
      ),
    }),
  }),
});

const KIND_BY_TOPIC: Record<string, SalesOrderEvent['kind']> = {
  [DomainTopic.OrderAccepted]: 'accepted',
  [DomainTopic.OrderUpdated]: 'updated',
  [DomainTopic.OrderCancelled]: 'cancelled',
};

/** Reads an order domain event's value; the error names the offending path, never a value. */
export function parseOrderEvent(topic: string, value: Buffer | null): SalesOrderEvent {
  const kind = KIND_BY_TOPIC[topic];
  if (!kind) throw new OrderEventError(`not an order event topic: ${topic}`);
  if (!value) throw new OrderEventError('message has no value');
  let json: unknown;
  try {
    // Domain events carry IDs and money as strings, so plain JSON parsing is exact.
    json = JSON.parse(value.toString('utf8'));
  } catch {
    throw new OrderEventError('value is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrderEventError(`${issue.path.join('.') || 'value'} ${issue.message}`);
  }
  const { eventId, shopDomain, aggregateVersion, data } = parsed.data;
  const order = data.order;
  return {
    kind,
    eventId,
    shopDomain,
    version: new Date(aggregateVersion).toISOString(),
    order: {
      id: order.id,
      currency: order.currency ?? null,
      totalPrice: order.totalPrice ?? null,
      totalTax: order.totalTax ?? null,
      totalDiscounts: order.totalDiscounts ?? null,
      createdAt: order.createdAt ?? null,
      cancelledAt: order.cancelledAt ?? null,
      test: order.test ?? false,
      lineItems: order.lineItems.map((line) => ({
        productId: line.productId ?? null,
        sku: line.sku ?? null,
        title: line.title ?? null,
        quantity: line.quantity,
        price: line.price ?? null,
      })),
    },
  };
}
