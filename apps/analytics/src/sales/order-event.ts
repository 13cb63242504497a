import type { OrderEvent } from '@shopwire/contracts';

/**
 * What analytics keeps of an order domain event (decoded by the contracts' `decodeOrderEvent`).
 * Only these fields are taken: email, customer and addresses are dropped here, before anything
 * else in this service sees the event, so personal data never reaches its tables.
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

const KIND_BY_TYPE: Record<OrderEvent['type'], SalesOrderEvent['kind']> = {
  'orders.order.accepted': 'accepted',
  'orders.order.updated': 'updated',
  'orders.order.cancelled': 'cancelled',
};

export function salesOrderEvent(event: OrderEvent): SalesOrderEvent {
  const { order } = event.data;
  return {
    kind: KIND_BY_TYPE[event.type],
    eventId: event.eventId,
    shopDomain: event.shopDomain,
    version: new Date(event.aggregateVersion).toISOString(),
    order: {
      id: order.id,
      currency: order.currency,
      totalPrice: order.totalPrice,
      totalTax: order.totalTax,
      totalDiscounts: order.totalDiscounts,
      createdAt: order.createdAt,
      cancelledAt: order.cancelledAt,
      test: order.test,
      lineItems: order.lineItems.map((line) => ({
        productId: line.productId,
        sku: line.sku,
        title: line.title,
        quantity: line.quantity,
        price: line.price,
      })),
    },
  };
}
