import { gid, money, shopifyTime } from '../../webhooks/payloads/payload-format';
import { inventoryLevelGid } from '../graphql/admin-views';
import type { JsonObject } from '../../webhooks/payloads/shopify-json.writer';
import { VARIANTS_PER_PRODUCT, type ShopStore } from '../store/shop-store';

/**
 * REST (legacy) shapes: snake_case, ids as bare integers (bigint here, written verbatim by
 * `toShopifyJson`), timestamps in the shop's zone, money as decimal strings, tags joined by ", ".
 */
export function productJson(store: ShopStore, index: number): JsonObject {
  const product = store.product(index);
  const at = (date: Date) => shopifyTime(date, store.profile.utcOffsetMinutes);
  const variants = Array.from({ length: VARIANTS_PER_PRODUCT }, (_, position) => {
    const variant = store.variant(index * VARIANTS_PER_PRODUCT + position);
    const available = store.locations.reduce(
      (sum, location) => sum + store.inventoryLevel(variant.index, location.index).available,
      0,
    );
    return {
      id: variant.id,
      product_id: product.id,
      title: variant.title,
      price: money(variant.priceCents),
      sku: variant.sku,
      position: variant.position,
      inventory_item_id: variant.inventoryItemId,
      inventory_quantity: available,
      created_at: at(variant.createdAt),
      updated_at: at(variant.updatedAt),
      admin_graphql_api_id: gid('ProductVariant', variant.id),
    };
  });
  return {
    id: product.id,
    title: product.title,
    handle: product.handle,
    status: product.status.toLowerCase(),
    vendor: product.vendor,
    product_type: product.productType,
    tags: product.tags.join(', '),
    created_at: at(product.createdAt),
    updated_at: at(product.updatedAt),
    published_at: product.status === 'ACTIVE' ? at(product.createdAt) : null,
    admin_graphql_api_id: gid('Product', product.id),
    variants,
  };
}

export function orderJson(store: ShopStore, index: number): JsonObject {
  const order = store.order(index);
  const customer = store.customer(order.customerIndex);
  const at = (date: Date) => shopifyTime(date, store.profile.utcOffsetMinutes);
  const { currency } = store.profile;
  return {
    id: order.id,
    admin_graphql_api_id: gid('Order', order.id),
    name: order.name,
    order_number: order.orderNumber,
    email: order.email,
    created_at: at(order.createdAt),
    updated_at: at(order.updatedAt),
    processed_at: at(order.createdAt),
    cancelled_at: order.cancelledAt ? at(order.cancelledAt) : null,
    currency,
    financial_status: order.financialStatus.toLowerCase(),
    fulfillment_status:
      order.fulfillmentStatus === 'FULFILLED'
        ? 'fulfilled'
        : order.fulfillmentStatus === 'PARTIALLY_FULFILLED'
          ? 'partial'
          : null,
    subtotal_price: money(order.subtotalCents),
    total_price: money(order.totalCents),
    total_tax: money(order.totalCents - order.subtotalCents),
    note: order.note,
    tags: order.tags.join(', '),
    customer: {
      id: customer.id,
      email: customer.email,
      first_name: customer.firstName,
      last_name: customer.lastName,
    },
    line_items: order.lineItems.map((item) => {
      const variant = store.variant(item.variantIndex);
      return {
        id: item.id,
        product_id: store.product(item.productIndex).id,
        variant_id: variant.id,
        sku: item.sku,
        title: item.title,
        variant_title: item.variantTitle,
        quantity: item.quantity,
        price: money(item.unitPriceCents),
      };
    }),
  };
}

/** The inventory_levels/update payload (SHOPIFY.md): ids bare, the level's composite gid. */
export function inventoryLevelJson(
  store: ShopStore,
  variantIndex: number,
  locationIndex: number,
): JsonObject {
  const level = store.inventoryLevel(variantIndex, locationIndex);
  const itemId = store.variant(variantIndex).inventoryItemId;
  const locationId = store.locations[locationIndex]!.id;
  return {
    inventory_item_id: itemId,
    location_id: locationId,
    available: level.available,
    updated_at: shopifyTime(level.updatedAt, store.profile.utcOffsetMinutes),
    admin_graphql_api_id: inventoryLevelGid(itemId, locationId),
  };
}
