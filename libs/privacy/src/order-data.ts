import type { OrderData } from '@shopwire/contracts';
import type { CustomerIdentity } from './tombstones';

/** The identities an order names: its own email, and its customer's id and email. */
export function orderIdentities(order: Pick<OrderData, 'email' | 'customer'>): CustomerIdentity[] {
  return [
    { customerId: null, email: order.email },
    { customerId: order.customer?.id ?? null, email: order.customer?.email ?? null },
  ];
}

/**
 * The order without its personal data: what a service keeps of an order whose customer was
 * redacted. The customer's id stays (it is how the shop refers to them, not who they are).
 */
export function withoutPersonalData(order: OrderData): OrderData {
  return {
    ...order,
    email: null,
    customer: order.customer
      ? { id: order.customer.id, email: null, firstName: null, lastName: null, phone: null }
      : null,
  };
}
