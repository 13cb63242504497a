import type { SeededRandom } from '../../random/seeded-random';
import type { CustomerRecord } from './customer-payload.factory';
import { shopifyTime } from './payload-format';
import { shopifyBigId, type ShopProfile } from './shop-profile';
import type { JsonObject } from './shopify-json.writer';

/**
 * The mandatory GDPR topics and app/uninstalled. Their bodies are small, but a wrong HMAC on them
 * must be answered 401 by the app, so the simulator sends them through the same signing path.
 */
function customerRef(customer: CustomerRecord): JsonObject {
  return { id: customer.id, email: customer.email, phone: customer.phone };
}

export function renderCustomerDataRequest(
  rng: SeededRandom,
  shop: ShopProfile,
  customer: CustomerRecord,
  orderIds: readonly bigint[],
): JsonObject {
  return {
    shop_id: shop.id,
    shop_domain: shop.domain,
    orders_requested: [...orderIds],
    customer: customerRef(customer),
    data_request: { id: rng.int(1_000, 9_999_999) },
  };
}

export function renderCustomerRedact(
  shop: ShopProfile,
  customer: CustomerRecord,
  orderIds: readonly bigint[],
): JsonObject {
  return {
    shop_id: shop.id,
    shop_domain: shop.domain,
    customer: customerRef(customer),
    orders_to_redact: [...orderIds],
  };
}

export function renderShopRedact(shop: ShopProfile): JsonObject {
  return { shop_id: shop.id, shop_domain: shop.domain };
}

/** app/uninstalled carries the shop resource. */
export function renderAppUninstalled(rng: SeededRandom, shop: ShopProfile, at: Date): JsonObject {
  const time = shopifyTime(at, shop.utcOffsetMinutes);
  return {
    id: shop.id,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    province: null,
    country: 'US',
    address1: null,
    zip: null,
    city: null,
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: 'en',
    address2: null,
    created_at: time,
    updated_at: time,
    country_code: 'US',
    country_name: 'United States',
    currency: shop.currency,
    customer_email: shop.email,
    timezone: `(GMT${shop.utcOffsetMinutes < 0 ? '-' : '+'}${String(Math.abs(shop.utcOffsetMinutes / 60)).padStart(2, '0')}:00) Shop time`,
    iana_timezone: 'Etc/UTC',
    shop_owner: shop.name,
    money_format: '${{amount}}',
    weight_unit: 'kg',
    plan_name: rng.pick(['basic', 'shopify', 'advanced', 'shopify_plus']),
    myshopify_domain: shop.domain,
    primary_location_id: shop.locationIds[0] ?? shopifyBigId(rng),
  };
}
