/** The emails this service sends. A template's name is part of an intent's identity. */
export const Template = {
  OrderConfirmation: 'order-confirmation',
  OrderCancellation: 'order-cancellation',
  LowStockAlert: 'low-stock-alert',
} as const;
export type Template = (typeof Template)[keyof typeof Template];

export interface OrderEmailVariables {
  orderName: string | null;
  currency: string | null;
  totalPrice: string | null;
  firstName: string | null;
  cancelReason: string | null;
  lineItems: { title: string | null; quantity: number; price: string | null }[];
}

export interface LowStockVariables {
  sku: string | null;
  inventoryItemId: string;
  locationId: string;
  available: number;
  committed: number;
  sellable: number;
  threshold: number;
}

export interface RenderedEmail {
  subject: string;
  text: string;
}

function orderLines(v: OrderEmailVariables): string {
  return v.lineItems
    .map((l) => `  ${l.quantity} × ${l.title ?? 'item'}${l.price ? ` @ ${l.price}` : ''}`)
    .join('\n');
}

/** Renders an intent's email at send time from the variables stored with it. */
export function renderEmail(
  template: Template,
  shopDomain: string,
  variables: unknown,
): RenderedEmail {
  switch (template) {
    case Template.OrderConfirmation: {
      const v = variables as OrderEmailVariables;
      const name = v.orderName ?? 'your order';
      return {
        subject: `Order ${name} confirmed`,
        text:
          `Hello${v.firstName ? ` ${v.firstName}` : ''},\n\nthank you for your order ${name} at ${shopDomain}.\n\n` +
          `${orderLines(v)}\n\nTotal: ${v.totalPrice ?? '—'} ${v.currency ?? ''}\n`,
      };
    }
    case Template.OrderCancellation: {
      const v = variables as OrderEmailVariables;
      const name = v.orderName ?? 'your order';
      return {
        subject: `Order ${name} cancelled`,
        text:
          `Hello${v.firstName ? ` ${v.firstName}` : ''},\n\nyour order ${name} at ${shopDomain} was cancelled` +
          `${v.cancelReason ? ` (${v.cancelReason})` : ''}.\n\n${orderLines(v)}\n`,
      };
    }
    case Template.LowStockAlert: {
      const v = variables as LowStockVariables;
      const what = v.sku ?? `inventory item ${v.inventoryItemId}`;
      return {
        subject: `Low stock: ${what}`,
        text:
          `${what} at location ${v.locationId} is low: ${v.sellable} sellable ` +
          `(${v.available} available, ${v.committed} committed; threshold ${v.threshold}).\n`,
      };
    }
  }
}
