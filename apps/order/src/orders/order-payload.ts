import { isJsonObject, shopifyId, type ShopifyJson } from '@shopwire/shopify';
import { isShopDomain } from '@shopwire/contracts';

/** An order's state as applied to the database; IDs, counts and money as exact strings. */
export interface OrderState {
  id: string;
  adminGraphqlApiId: string | null;
  name: string | null;
  orderNumber: string | null;
  email: string | null;
  currency: string | null;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  totalPrice: string | null;
  subtotalPrice: string | null;
  totalTax: string | null;
  totalDiscounts: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  createdAt: string | null;
  updatedAt: string;
  /** null when the payload has no `line_items`: the stored lines are then left alone. */
  lineItems: LineItemState[] | null;
  customer: CustomerState | null;
  test: boolean;
}

/** The order's customer: personal data, erased by customers/redact. */
export interface CustomerState {
  id: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
}

export interface LineItemState {
  id: string;
  productId: string | null;
  variantId: string | null;
  sku: string | null;
  title: string | null;
  quantity: number;
  price: string | null;
}

/** The payload is not an order we can store. Messages name fields only, never their values. */
export class OrderPayloadError extends Error {
  override readonly name = 'OrderPayloadError';
}

// Shopify topics whose payload is the order itself. Other `orders/*` topics are accepted when
// their payload has an order's shape; `orders/edited` (an `order_edit`) and `orders/delete` (just
// an id) do not, and Shopify sends `orders/updated` alongside an edit anyway.
const ORDER_PAYLOAD_TOPICS = new Set([
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'orders/paid',
  'orders/fulfilled',
  'orders/partially_fulfilled',
]);

type JsonObject = { [key: string]: ShopifyJson };

/** Whether a webhook on `shopify.orders.v1` carries an order this service stores. */
export function carriesOrder(shopifyTopic: string, payload: () => ShopifyJson): boolean {
  if (ORDER_PAYLOAD_TOPICS.has(shopifyTopic)) return true;
  if (!shopifyTopic.startsWith('orders/')) return false;
  const json = payload();
  return (
    isJsonObject(json) &&
    json.id !== undefined &&
    json.updated_at !== undefined &&
    Array.isArray(json.line_items)
  );
}

const BIGINT_MAX = 9223372036854775807n;
const DECIMAL = /^-?\d{1,30}(\.\d{1,20})?$/;
// RFC 3339 as Shopify writes it; stricter than Date.parse so Postgres accepts whatever passes.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const INT32_MAX = 2147483647;
const MAX_TEXT = 10_000;

function id(value: ShopifyJson | undefined, field: string, required: true): string;
function id(value: ShopifyJson | undefined, field: string, required: false): string | null;
function id(value: ShopifyJson | undefined, field: string, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) throw new OrderPayloadError(`${field} is required`);
    return null;
  }
  const digits = shopifyId(value);
  if (
    digits === null ||
    !/^\d{1,19}$/.test(digits) ||
    BigInt(digits) > BIGINT_MAX ||
    BigInt(digits) === 0n
  ) {
    throw new OrderPayloadError(`${field} must be a positive integer id`);
  }
  return digits;
}

function text(value: ShopifyJson | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new OrderPayloadError(`${field} must be a string`);
  if (value.length > MAX_TEXT) throw new OrderPayloadError(`${field} is too long`);
  return value;
}

function money(value: ShopifyJson | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  // Shopify sends money as decimal strings; a number is accepted only if it survived parsing
  // exactly (parseShopifyJson keeps unsafe ones as strings).
  const decimal = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof decimal !== 'string' || !DECIMAL.test(decimal)) {
    throw new OrderPayloadError(`${field} must be a decimal amount`);
  }
  return decimal;
}

function timestamp(
  value: ShopifyJson | undefined,
  field: string,
  required: boolean,
): string | null {
  if (value === undefined || value === null) {
    if (required) throw new OrderPayloadError(`${field} is required`);
    return null;
  }
  if (typeof value !== 'string' || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) {
    throw new OrderPayloadError(`${field} must be an ISO 8601 timestamp with offset`);
  }
  return value;
}

function quantity(value: ShopifyJson | undefined, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > INT32_MAX) {
    throw new OrderPayloadError(`${field} must be a non-negative integer`);
  }
  return value;
}

function lineItem(value: ShopifyJson, index: number): LineItemState {
  const field = `line_items[${index}]`;
  if (!isJsonObject(value)) throw new OrderPayloadError(`${field} must be an object`);
  return {
    id: id(value.id, `${field}.id`, true),
    productId: id(value.product_id, `${field}.product_id`, false),
    variantId: id(value.variant_id, `${field}.variant_id`, false),
    sku: text(value.sku, `${field}.sku`),
    title: text(value.title, `${field}.title`),
    quantity: quantity(value.quantity, `${field}.quantity`),
    price: money(value.price, `${field}.price`),
  };
}

function lineItems(value: ShopifyJson | undefined): LineItemState[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new OrderPayloadError('line_items must be an array');
  const items = value.map(lineItem);
  if (new Set(items.map((item) => item.id)).size !== items.length) {
    throw new OrderPayloadError('line_items has a repeated id');
  }
  return items;
}

function customer(value: ShopifyJson | undefined): CustomerState | null {
  if (value === undefined || value === null) return null;
  if (!isJsonObject(value)) throw new OrderPayloadError('customer must be an object');
  return {
    id: id(value.id, 'customer.id', false),
    email: text(value.email, 'customer.email'),
    firstName: text(value.first_name, 'customer.first_name'),
    lastName: text(value.last_name, 'customer.last_name'),
    phone: text(value.phone, 'customer.phone'),
  };
}

/** Reads an order out of a parsed orders/* payload; throws `OrderPayloadError` naming the field. */
export function parseOrderPayload(json: ShopifyJson): OrderState {
  if (!isJsonObject(json)) throw new OrderPayloadError('payload must be a JSON object');
  const order: JsonObject = json;
  const orderNumber = order.order_number;
  return {
    id: id(order.id, 'id', true),
    adminGraphqlApiId: text(order.admin_graphql_api_id, 'admin_graphql_api_id'),
    name: text(order.name, 'name'),
    orderNumber:
      orderNumber === undefined || orderNumber === null
        ? null
        : id(orderNumber, 'order_number', true),
    email: text(order.email, 'email'),
    currency: text(order.currency, 'currency'),
    financialStatus: text(order.financial_status, 'financial_status'),
    fulfillmentStatus: text(order.fulfillment_status, 'fulfillment_status'),
    totalPrice: money(order.total_price, 'total_price'),
    subtotalPrice: money(order.subtotal_price, 'subtotal_price'),
    totalTax: money(order.total_tax, 'total_tax'),
    totalDiscounts: money(order.total_discounts, 'total_discounts'),
    cancelledAt: timestamp(order.cancelled_at, 'cancelled_at', false),
    cancelReason: text(order.cancel_reason, 'cancel_reason'),
    createdAt: timestamp(order.created_at, 'created_at', false),
    updatedAt: timestamp(order.updated_at, 'updated_at', true) as string,
    lineItems: lineItems(order.line_items),
    customer: customer(order.customer),
    test: order.test === true,
  };
}

/** Shopify shop domains (`X-Shopify-Shop-Domain`) are always `<handle>.myshopify.com`. */
export { isShopDomain };

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
