import type { OrderEvent } from '@shopwire/contracts';

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

/**
 * Inventory's reading of an order event decoded by the contracts' `decodeOrderEvent`; null for
 * `orders.order.updated` (a change to an order's lines is not a commitment this service tracks).
 */
export function orderCommitment(event: OrderEvent): OrderCommitmentEvent | null {
  if (event.type === 'orders.order.updated') return null;
  const { order } = event.data;
  return {
    // An order whose first known state is already cancelled is announced as accepted and then
    // cancelled; reading that accepted as a cancellation means it never reserves, not even for
    // the moment between the two (which could otherwise publish a false low-stock event).
    kind: event.type === 'orders.order.cancelled' || order.cancelledAt ? 'cancelled' : 'accepted',
    eventId: event.eventId,
    shopDomain: event.shopDomain,
    orderId: order.id,
    version: new Date(event.aggregateVersion).toISOString(),
    lines: order.lineItems.map((line) => ({
      variantId: line.variantId,
      sku: line.sku === null || line.sku.trim() === '' ? null : line.sku,
      quantity: line.quantity,
    })),
  };
}
