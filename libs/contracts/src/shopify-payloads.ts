import {
  accepted,
  field,
  FieldError,
  isJsonObject,
  type Decoded,
  type JsonObject,
} from './decoding';
import { decodeWebhookPayload, type WebhookEnvelope } from './webhook-envelope';

/**
 * What Shopwire's consumers read of Shopify's webhook bodies, one decoder per projection: the
 * body parsed exactly (`parseExactJson`), the fields the consumer uses checked and named on
 * refusal ('json' or 'payload'), everything else left behind. A consumer reads a body only
 * through these (or `decodePrivacyMessage` for the compliance topic).
 */

type Body = Pick<WebhookEnvelope, 'payload'>;

const SHOPIFY_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Shopify's timestamps: ISO 8601 with the shop's offset (or Z). */
function shopifyTimestamp(value: unknown, name: string): string {
  if (value === undefined || value === null) throw new FieldError(`${name} is required`);
  if (
    typeof value !== 'string' ||
    !SHOPIFY_TIMESTAMP.test(value) ||
    Number.isNaN(Date.parse(value))
  )
    throw new FieldError(`${name} must be an ISO 8601 timestamp with offset`);
  return value;
}

function body(json: unknown): JsonObject {
  if (!isJsonObject(json)) throw new FieldError('payload must be a JSON object');
  return json;
}

// ---- shopify.inventory.v1 ------------------------------------------------------------------

/** inventory_levels/update (and /connect): one item's quantity at one location. */
export interface InventoryLevelUpdate {
  inventoryItemId: string;
  locationId: string;
  available: number;
  updatedAt: string;
}

/** inventory_items/create|update: what Shopwire needs of an item is its SKU. */
export interface InventoryItemUpdate {
  inventoryItemId: string;
  sku: string | null;
  updatedAt: string;
}

export function decodeInventoryLevelUpdate(envelope: Body): Decoded<InventoryLevelUpdate> {
  return decodeWebhookPayload(envelope, (json) => {
    const level = body(json);
    return {
      inventoryItemId: field.id(level.inventory_item_id, 'inventory_item_id'),
      locationId: field.id(level.location_id, 'location_id'),
      // Shopify sends `available: null` for an untracked item: nothing to count, so not a level.
      available: field.int(level.available, 'available'),
      updatedAt: shopifyTimestamp(level.updated_at, 'updated_at'),
    };
  });
}

export function decodeInventoryItemUpdate(envelope: Body): Decoded<InventoryItemUpdate> {
  return decodeWebhookPayload(envelope, (json) => {
    const item = body(json);
    const sku = item.sku;
    if (sku !== undefined && sku !== null && typeof sku !== 'string')
      throw new FieldError('sku must be a string');
    return {
      inventoryItemId: field.id(item.id, 'id'),
      // Shopify sends "" for an item without a SKU; that joins to no order line.
      sku: typeof sku === 'string' && sku.trim() !== '' ? sku : null,
      updatedAt: shopifyTimestamp(item.updated_at, 'updated_at'),
    };
  });
}

// ---- shopify.products.v1 -------------------------------------------------------------------

/** products/create|update: the product and its variants, as the catalog keeps them. */
export interface ProductUpdate {
  id: string;
  title: string | null;
  handle: string | null;
  status: string | null;
  updatedAt: string;
  variants: {
    id: string;
    sku: string | null;
    price: string | null;
    inventoryItemId: string | null;
  }[];
}

const text = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

/** An id, or null for anything that is not one (a variant without one is left out). */
function idOrNull(value: unknown): string | null {
  try {
    return field.optionalId(value, 'id');
  } catch {
    return null;
  }
}

const PRICE = /^-?\d+(\.\d+)?$/;

export function decodeProductUpdate(envelope: Body): Decoded<ProductUpdate> {
  return decodeWebhookPayload(envelope, (json) => {
    const product = body(json);
    const updatedAt = text(product.updated_at);
    if (!updatedAt || Number.isNaN(Date.parse(updatedAt)))
      throw new FieldError('updated_at must be a timestamp');
    const variants = Array.isArray(product.variants) ? product.variants : [];
    return {
      id: field.id(product.id, 'id'),
      title: text(product.title),
      handle: text(product.handle),
      status: text(product.status),
      updatedAt,
      variants: variants.filter(isJsonObject).flatMap((variant) => {
        const id = idOrNull(variant.id);
        if (!id) return [];
        return [
          {
            id,
            sku: text(variant.sku),
            // Prices are decimal strings; anything else is not stored rather than guessed at.
            price:
              typeof variant.price === 'string' && PRICE.test(variant.price) ? variant.price : null,
            inventoryItemId: idOrNull(variant.inventory_item_id),
          },
        ];
      }),
    };
  });
}

/** products/delete: only the id. */
export function decodeProductDeleted(envelope: Body): Decoded<{ productId: string }> {
  return decodeWebhookPayload(envelope, (json) => ({ productId: field.id(body(json).id, 'id') }));
}

// ---- shopify.orders.v1 ---------------------------------------------------------------------

/** An order as the order service stores it; IDs, counts and money as exact strings. */
export interface ShopifyOrder {
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
  lineItems: ShopifyOrderLine[] | null;
  customer: ShopifyOrderCustomer | null;
  test: boolean;
}

/** The order's customer: personal data, erased by customers/redact. */
export interface ShopifyOrderCustomer {
  id: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
}

export interface ShopifyOrderLine {
  id: string;
  productId: string | null;
  variantId: string | null;
  sku: string | null;
  title: string | null;
  quantity: number;
  price: string | null;
}

/**
 * Shopify topics whose payload is the order itself. Other `orders/*` topics carry an order when
 * their payload has an order's shape; `orders/edited` (an `order_edit`) and `orders/delete` (just
 * an id) do not, and Shopify sends `orders/updated` alongside an edit anyway.
 */
export const ORDER_WEBHOOK_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'orders/paid',
  'orders/fulfilled',
  'orders/partially_fulfilled',
] as const;

const ORDER_TOPICS = new Set<string>(ORDER_WEBHOOK_TOPICS);
const MAX_TEXT = 10_000;

/** Order text keeps "" as sent (a name or status may be empty); only absent or null is null. */
function orderText(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new FieldError(`${name} must be a string`);
  if (value.length > MAX_TEXT) throw new FieldError(`${name} is too long`);
  return value;
}

/**
 * Money: Shopify sends decimal strings; a number is accepted only as it survived the exact parse
 * (`parseExactJson` keeps unsafe ones as strings).
 */
function money(value: unknown, name: string): string | null {
  const decimal = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  try {
    return field.optionalDecimal(decimal, name);
  } catch {
    throw new FieldError(`${name} must be a decimal amount`);
  }
}

function orderLine(value: unknown, index: number): ShopifyOrderLine {
  const name = `line_items[${index}]`;
  const line = field.object(value, name);
  return {
    id: field.id(line.id, `${name}.id`),
    productId: field.optionalId(line.product_id, `${name}.product_id`),
    variantId: field.optionalId(line.variant_id, `${name}.variant_id`),
    sku: orderText(line.sku, `${name}.sku`),
    title: orderText(line.title, `${name}.title`),
    quantity: field.int(line.quantity, `${name}.quantity`, 0),
    price: money(line.price, `${name}.price`),
  };
}

function orderLines(value: unknown): ShopifyOrderLine[] | null {
  if (value === undefined) return null;
  const lines = field.array(value, 'line_items').map(orderLine);
  if (new Set(lines.map((line) => line.id)).size !== lines.length)
    throw new FieldError('line_items has a repeated id');
  return lines;
}

function orderCustomer(value: unknown): ShopifyOrderCustomer | null {
  if (value === undefined || value === null) return null;
  const customer = field.object(value, 'customer');
  return {
    id: field.optionalId(customer.id, 'customer.id'),
    email: orderText(customer.email, 'customer.email'),
    firstName: orderText(customer.first_name, 'customer.first_name'),
    lastName: orderText(customer.last_name, 'customer.last_name'),
    phone: orderText(customer.phone, 'customer.phone'),
  };
}

function readOrder(json: unknown): ShopifyOrder {
  const order = body(json);
  const optionalTimestamp = (value: unknown, name: string) =>
    value === undefined || value === null ? null : shopifyTimestamp(value, name);
  return {
    id: field.id(order.id, 'id'),
    adminGraphqlApiId: orderText(order.admin_graphql_api_id, 'admin_graphql_api_id'),
    name: orderText(order.name, 'name'),
    orderNumber: field.optionalId(order.order_number, 'order_number'),
    email: orderText(order.email, 'email'),
    currency: orderText(order.currency, 'currency'),
    financialStatus: orderText(order.financial_status, 'financial_status'),
    fulfillmentStatus: orderText(order.fulfillment_status, 'fulfillment_status'),
    totalPrice: money(order.total_price, 'total_price'),
    subtotalPrice: money(order.subtotal_price, 'subtotal_price'),
    totalTax: money(order.total_tax, 'total_tax'),
    totalDiscounts: money(order.total_discounts, 'total_discounts'),
    cancelledAt: optionalTimestamp(order.cancelled_at, 'cancelled_at'),
    cancelReason: orderText(order.cancel_reason, 'cancel_reason'),
    createdAt: optionalTimestamp(order.created_at, 'created_at'),
    updatedAt: shopifyTimestamp(order.updated_at, 'updated_at'),
    lineItems: orderLines(order.line_items),
    customer: orderCustomer(order.customer),
    test: order.test === true,
  };
}

/**
 * Reads a webhook on `shopify.orders.v1` as an order: the value is null when the webhook carries
 * none (another family on the topic, or an `orders/*` topic whose payload is not an order), which
 * the consumer ignores; refused with 'json' or 'payload' (naming the field) otherwise.
 */
export function decodeOrderWebhook(
  envelope: Pick<WebhookEnvelope, 'shopifyTopic' | 'payload'>,
): Decoded<ShopifyOrder | null> {
  const { shopifyTopic } = envelope;
  if (!shopifyTopic.startsWith('orders/')) return accepted(null);
  return decodeWebhookPayload(envelope, (json) => {
    const carriesOrder =
      ORDER_TOPICS.has(shopifyTopic) ||
      (isJsonObject(json) &&
        json.id !== undefined &&
        json.updated_at !== undefined &&
        Array.isArray(json.line_items));
    return carriesOrder ? readOrder(json) : null;
  });
}
