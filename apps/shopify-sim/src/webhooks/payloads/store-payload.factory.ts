import type { SeededRandom } from '../../random/seeded-random';
import { discountStatus, DiscountStore } from '../../admin-api/store/discount-store';
import { gid, shopifyTime } from './payload-format';
import type { ShopProfile } from './shop-profile';
import type { JsonObject } from './shopify-json.writer';

/**
 * shop/update: the shop's REST shape (the settings a storefront formats prices and weights by),
 * as Shopify sends it when the merchant changes the store's settings.
 */
export function renderShopUpdate(shop: ShopProfile, at: Date): JsonObject {
  const northAmerica = shop.currency === 'USD' || shop.currency === 'CAD';
  return {
    id: shop.id,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    myshopify_domain: shop.domain,
    currency: shop.currency,
    weight_unit: northAmerica ? 'lb' : 'kg',
    taxes_included: !northAmerica,
    plan_name: 'basic',
    updated_at: shopifyTime(at, shop.utcOffsetMinutes),
  };
}

/**
 * discounts/update: Shopify's discount webhooks carry the node's gid (no numeric id), title and
 * status. The discount is one of the shop's in the Admin API (same ids, same titles).
 */
export function renderDiscountUpdate(rng: SeededRandom, shop: ShopProfile, at: Date): JsonObject {
  const discounts = new DiscountStore(shop.domain, at);
  const discount = discounts.discount(rng.int(0, discounts.count - 1));
  const type = discount.method === 'automatic' ? 'DiscountAutomaticNode' : 'DiscountCodeNode';
  return {
    admin_graphql_api_id: gid(type, discount.id),
    title: discount.title,
    status: discountStatus(discount, at),
    created_at: shopifyTime(discount.createdAt, shop.utcOffsetMinutes),
    updated_at: shopifyTime(at, shop.utcOffsetMinutes),
  };
}
