import { isJsonObject, shopifyId, type ShopifyJson } from '@shopwire/shopify';
import { isShopDomain } from '@shopwire/contracts';

/** inventory_levels/update (and /connect): one item's quantity at one location. */
export interface LevelUpdate {
  inventoryItemId: string;
  locationId: string;
  available: number;
  updatedAt: string;
}

/** inventory_items/create|update: what we need of an item is its SKU. */
export interface ItemUpdate {
  inventoryItemId: string;
  sku: string | null;
  updatedAt: string;
}

/** The payload is not what its topic promises. Messages name fields only, never values. */
export class InventoryPayloadError extends Error {
  override readonly name = 'InventoryPayloadError';
}

const BIGINT_MAX = 9223372036854775807n;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const INT32 = 2147483647;

export function positiveId(value: ShopifyJson | undefined, field: string): string {
  if (value === undefined || value === null)
    throw new InventoryPayloadError(`${field} is required`);
  const digits = shopifyId(value);
  if (digits === null || !isPositiveId(digits)) {
    throw new InventoryPayloadError(`${field} must be a positive integer id`);
  }
  return digits;
}

/** A Shopify numeric id that fits Postgres bigint, as its exact digits. */
export function isPositiveId(digits: string): boolean {
  return /^\d{1,19}$/.test(digits) && BigInt(digits) > 0n && BigInt(digits) <= BIGINT_MAX;
}

function timestamp(value: ShopifyJson | undefined, field: string): string {
  if (value === undefined || value === null)
    throw new InventoryPayloadError(`${field} is required`);
  if (typeof value !== 'string' || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InventoryPayloadError(`${field} must be an ISO 8601 timestamp with offset`);
  }
  return value;
}

export function parseLevelUpdate(json: ShopifyJson): LevelUpdate {
  if (!isJsonObject(json)) throw new InventoryPayloadError('payload must be a JSON object');
  const available = json.available;
  // Shopify sends `available: null` for an untracked item: nothing to count, so not a level.
  if (
    typeof available !== 'number' ||
    !Number.isInteger(available) ||
    Math.abs(available) > INT32
  ) {
    throw new InventoryPayloadError('available must be an integer');
  }
  return {
    inventoryItemId: positiveId(json.inventory_item_id, 'inventory_item_id'),
    locationId: positiveId(json.location_id, 'location_id'),
    available,
    updatedAt: timestamp(json.updated_at, 'updated_at'),
  };
}

export function parseItemUpdate(json: ShopifyJson): ItemUpdate {
  if (!isJsonObject(json)) throw new InventoryPayloadError('payload must be a JSON object');
  const sku = json.sku;
  if (sku !== undefined && sku !== null && typeof sku !== 'string') {
    throw new InventoryPayloadError('sku must be a string');
  }
  return {
    inventoryItemId: positiveId(json.id, 'id'),
    // Shopify sends "" for an item without a SKU; that joins to no order line.
    sku: typeof sku === 'string' && sku.trim() !== '' ? sku : null,
    updatedAt: timestamp(json.updated_at, 'updated_at'),
  };
}

/** Shopify shop domains (`X-Shopify-Shop-Domain`) are always `<handle>.myshopify.com`. */
export { isShopDomain };
