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
  | { kind: 'inventory-item'; shop: string; inventoryItemId: string }
  /**
   * A product was deleted: Shopify's products/delete carries only the product id, so the caller
   * resolves the variants it had (from the catalog it keeps) and purges them too.
   */
  | { kind: 'product-variants'; shop: string; productId: string };

/** The one store-config entry per shop (the shop object). */
export const STORE_CONFIG_ID = 'shop';

/** The one pricing-rules entry per shop (its discounts, as one document). */
export const PRICING_RULES_ID = 'discounts';

const NUMERIC_ID = /^\d{1,19}$/;

function numericId(value: ShopifyJson | undefined): string | null {
  const id = shopifyId(value);
  return id && NUMERIC_ID.test(id) ? id : null;
}

/**
 * Which cache entries a webhook makes stale. Pure; throws only on a body that is not JSON.
 * - `products/create|update|delete`: the product, its metafields (Shopify announces a metafield
 *   change as products/update) and each variant the payload lists (a create also clears a cached
 *   "not found"); a delete also asks the caller for the product's variants.
 * - `inventory_items/update|delete`: resolved by the caller (SKU and item id are in the product
 *   document); `inventory_levels/*`: nothing — levels are never cached.
 * - `shop/update`: the shop's store config.
 * - `discounts/create|update|delete`: the shop's pricing rules (one document per shop).
 * Everything else: nothing.
 */
export function purgeTargets(envelope: WebhookEnvelope): PurgeTarget[] {
  const { shopifyTopic: topic, shopDomain: shop } = envelope;
  const interesting =
    topic.startsWith('products/') ||
    topic === 'inventory_items/update' ||
    topic === 'inventory_items/delete' ||
    topic === 'shop/update' ||
    topic.startsWith('discounts/');
  if (!interesting) return [];
  const body = parseShopifyJson(envelope.payload);
  if (!isJsonObject(body)) return [];
  if (topic === 'shop/update') {
    return [{ kind: 'entries', namespace: 'store-config', shop, ids: [STORE_CONFIG_ID] }];
  }
  // Whatever the payload says: any discount change can change what the shop's rules are.
  if (topic.startsWith('discounts/'))
    return [{ kind: 'entries', namespace: 'pricing-rules', shop, ids: [PRICING_RULES_ID] }];
  const id = numericId(body.id);
  if (!id) return [];
  if (topic.startsWith('inventory_items/'))
    return [{ kind: 'inventory-item', shop, inventoryItemId: id }];
  const targets: PurgeTarget[] = [
    { kind: 'entries', namespace: 'products', shop, ids: [id] },
    { kind: 'entries', namespace: 'metafields', shop, ids: [id] },
  ];
  const variants = Array.isArray(body.variants) ? body.variants : [];
  const variantIds = variants
    .filter(isJsonObject)
    .map((v) => numericId(v.id))
    .filter((v): v is string => v !== null);
  if (variantIds.length > 0)
    targets.push({ kind: 'entries', namespace: 'variants', shop, ids: variantIds });
  if (topic === 'products/delete') targets.push({ kind: 'product-variants', shop, productId: id });
  return targets;
}
