import type { WebhookEnvelope } from '@shopwire/contracts';
import { isJsonObject, parseShopifyJson, shopifyId, type ShopifyJson } from '@shopwire/shopify';
import type { CacheNamespace } from './namespaces';

/** Entries one webhook invalidates. */
export type PurgeTarget =
  | { kind: 'entries'; namespace: CacheNamespace; shop: string; ids: string[] }
  /**
   * An inventory item changed (its SKU, say): the product document shows it, but the payload
   * names only the item, so the caller resolves it to its product and variant ids.
   */
  | { kind: 'inventory-item'; shop: string; inventoryItemId: string };

/** The one store-config entry per shop (the shop object). */
export const STORE_CONFIG_ID = 'shop';

const NUMERIC_ID = /^\d{1,19}$/;

function numericId(value: ShopifyJson | undefined): string | null {
  const id = shopifyId(value);
  return id && NUMERIC_ID.test(id) ? id : null;
}

/**
 * Which cache entries a webhook makes stale. Pure; throws only on a body that is not JSON.
 * - `products/create|update|delete`: the product, and each variant the payload lists (a create
 *   also clears a cached "not found").
 * - `inventory_items/update|delete`: resolved by the caller (SKU and item id are in the product
 *   document); `inventory_levels/*`: nothing — levels are never cached.
 * - `shop/update`: the shop's store config.
 * Everything else: nothing.
 */
export function purgeTargets(envelope: WebhookEnvelope): PurgeTarget[] {
  const { shopifyTopic: topic, shopDomain: shop } = envelope;
  const interesting =
    topic.startsWith('products/') ||
    topic === 'inventory_items/update' ||
    topic === 'inventory_items/delete' ||
    topic === 'shop/update';
  if (!interesting) return [];
  const body = parseShopifyJson(envelope.payload);
  if (!isJsonObject(body)) return [];
  if (topic === 'shop/update') {
    return [{ kind: 'entries', namespace: 'store-config', shop, ids: [STORE_CONFIG_ID] }];
  }
  const id = numericId(body.id);
  if (!id) return [];
  if (topic.startsWith('inventory_items/'))
    return [{ kind: 'inventory-item', shop, inventoryItemId: id }];
  const targets: PurgeTarget[] = [{ kind: 'entries', namespace: 'products', shop, ids: [id] }];
  const variants = Array.isArray(body.variants) ? body.variants : [];
  const variantIds = variants
    .filter(isJsonObject)
    .map((v) => numericId(v.id))
    .filter((v): v is string => v !== null);
  if (variantIds.length > 0)
    targets.push({ kind: 'entries', namespace: 'variants', shop, ids: variantIds });
  return targets;
}
