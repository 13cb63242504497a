import { isJsonObject, shopifyId, type ShopifyJson } from '@shopwire/shopify';
import type { BulkRecord } from '@shopwire/shopify-admin';
import type { ProductState } from '../orders/sync-events';

/** The bulk export product-import runs: products with their variants (one nested connection). */
export const PRODUCTS_BULK_QUERY = `{
  products {
    edges {
      node {
        id
        legacyResourceId
        title
        handle
        status
        updatedAt
        variants {
          edges {
            node { id legacyResourceId sku price inventoryItem { legacyResourceId } }
          }
        }
      }
    }
  }
}`;

export class BulkProductError extends Error {
  override readonly name = 'BulkProductError';
}

/** The numeric id of a node: `legacyResourceId`, else the tail of its GID (exact digits). */
function numericId(node: Record<string, ShopifyJson>): string | null {
  const legacy = shopifyId(node.legacyResourceId);
  if (legacy && /^\d+$/.test(legacy)) return legacy;
  const gid = typeof node.id === 'string' ? /\/(\d+)(\?.*)?$/.exec(node.id) : null;
  return gid ? gid[1]! : null;
}

const text = (value: ShopifyJson | undefined): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

/**
 * One product of the bulk export (its variants reassembled from `__parentId`) in the shape the
 * catalog mirror stores from products webhooks: numeric ids as exact strings, the status in the
 * webhook's lower case, the price as its decimal string.
 */
export function productStateOf(record: BulkRecord): ProductState {
  const node = record.node;
  const id = numericId(node);
  const updatedAt = text(node.updatedAt);
  if (!id) throw new BulkProductError('a product line has no numeric id');
  if (!updatedAt || Number.isNaN(Date.parse(updatedAt)))
    throw new BulkProductError(`product ${id} has no valid updatedAt`);
  const variants = record.children
    .map((child) => child.node)
    .filter((child) => typeof child.id === 'string' && child.id.includes('/ProductVariant/'))
    .map((variant) => {
      const variantId = numericId(variant);
      if (!variantId) throw new BulkProductError(`a variant of product ${id} has no numeric id`);
      const item = isJsonObject(variant.inventoryItem ?? null)
        ? shopifyId((variant.inventoryItem as Record<string, ShopifyJson>).legacyResourceId)
        : null;
      return {
        id: variantId,
        sku: text(variant.sku),
        price: text(variant.price),
        inventoryItemId: item,
      };
    });
  return {
    id,
    title: text(node.title),
    handle: text(node.handle),
    status: text(node.status)?.toLowerCase() ?? null,
    updatedAt,
    variants,
  };
}
