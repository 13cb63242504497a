import type { ShopifyOrder, ShopifyOrderCustomer, ShopifyOrderLine } from '@shopwire/contracts';

/**
 * The order as this service stores it: exactly what the contracts' `decodeOrderWebhook` reads of
 * an orders/* webhook (IDs, counts and money as exact strings).
 */
export type OrderState = ShopifyOrder;

/** The order's customer: personal data, erased by customers/redact. */
export type CustomerState = ShopifyOrderCustomer;

export type LineItemState = ShopifyOrderLine;

/**
 * The order without its customer's personal data (email, names, phone), as a redact leaves it;
 * the customer's id stays, as it does on erased rows.
 */
export function withoutCustomerData(order: OrderState): OrderState {
  return {
    ...order,
    email: null,
    customer: order.customer
      ? { id: order.customer.id, email: null, firstName: null, lastName: null, phone: null }
      : null,
  };
}
