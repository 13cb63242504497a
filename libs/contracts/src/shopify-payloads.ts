import { field, FieldError, isJsonObject, type Decoded, type JsonObject } from './decoding';
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
