import type { SeededRandom } from '../../random/seeded-random';
import {
  COLOR_OPTIONS,
  PRODUCT_ADJECTIVES,
  PRODUCT_NOUNS,
  SIZE_OPTIONS,
  VENDORS,
} from './fake-identity.data';
import { gid, laterThan, money, shopifyTime, slug } from './payload-format';
import { shopifyBigId, type ShopProfile } from './shop-profile';
import type { JsonObject } from './shopify-json.writer';

export interface VariantRecord {
  id: bigint;
  productId: bigint;
  title: string;
  option1: string;
  priceCents: number;
  sku: string;
  grams: number;
  inventoryItemId: bigint;
  available: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProductRecord {
  id: bigint;
  title: string;
  handle: string;
  vendor: string;
  productType: string;
  optionName: 'Size' | 'Color';
  status: 'active' | 'draft' | 'archived';
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  variants: VariantRecord[];
}

/** A shop's catalog, created once per stream so orders, products and inventory share ids. */
export function createCatalog(rng: SeededRandom, at: Date, size = 24): ProductRecord[] {
  const createdAt = new Date(at.getTime() - 90 * 24 * 3600_000);
  return Array.from({ length: size }, (_, index) => {
    const kind = rng.pick(PRODUCT_NOUNS);
    const title = `${rng.pick(PRODUCT_ADJECTIVES)} ${kind.noun}`;
    const id = shopifyBigId(rng);
    const options =
      kind.grams > 500 ? COLOR_OPTIONS : rng.chance(0.5) ? SIZE_OPTIONS : COLOR_OPTIONS;
    const variantCount = rng.int(1, 4);
    const basePrice = rng.int(kind.priceCents[0] / 100, kind.priceCents[1] / 100) * 100 - 1;
    const skuStem = `${slug(kind.noun).toUpperCase().slice(0, 4)}-${String(index + 1).padStart(3, '0')}`;
    return {
      id,
      title,
      handle: `${slug(title)}-${index + 1}`,
      vendor: rng.pick(VENDORS),
      productType: kind.type,
      optionName: options === SIZE_OPTIONS ? 'Size' : 'Color',
      status: 'active',
      tags: rng.chance(0.4) ? ['new-arrival'] : [],
      createdAt,
      updatedAt: createdAt,
      variants: options.slice(0, variantCount).map((option) => ({
        id: shopifyBigId(rng),
        productId: id,
        title: option,
        option1: option,
        priceCents: basePrice,
        sku: `${skuStem}-${slug(option).toUpperCase()}`,
        grams: kind.grams,
        inventoryItemId: shopifyBigId(rng),
        available: rng.int(5, 400),
        createdAt,
        updatedAt: createdAt,
      })),
    };
  });
}

/** A merchant edit: price, tags or status change, with `updated_at` moving forward. */
export function updateProduct(rng: SeededRandom, product: ProductRecord, at: Date): ProductRecord {
  const updatedAt = laterThan(product.updatedAt, at);
  const change = rng.int(0, 2);
  return {
    ...product,
    updatedAt,
    tags:
      change === 1
        ? [...new Set([...product.tags, rng.pick(['sale', 'restocked', 'featured'])])]
        : product.tags,
    status:
      change === 2 && rng.chance(0.2)
        ? 'draft'
        : product.status === 'draft'
          ? 'active'
          : product.status,
    variants: product.variants.map((variant) =>
      change === 0
        ? {
            ...variant,
            priceCents: Math.max(99, variant.priceCents + rng.int(-5, 5) * 100),
            updatedAt,
          }
        : variant,
    ),
  };
}

function renderVariant(variant: VariantRecord, position: number, shop: ShopProfile): JsonObject {
  return {
    id: variant.id,
    product_id: variant.productId,
    title: variant.title,
    price: money(variant.priceCents),
    sku: variant.sku,
    position,
    inventory_policy: 'deny',
    compare_at_price: null,
    fulfillment_service: 'manual',
    inventory_management: 'shopify',
    option1: variant.option1,
    option2: null,
    option3: null,
    created_at: shopifyTime(variant.createdAt, shop.utcOffsetMinutes),
    updated_at: shopifyTime(variant.updatedAt, shop.utcOffsetMinutes),
    taxable: true,
    barcode: null,
    grams: variant.grams,
    weight: variant.grams / 1000,
    weight_unit: 'kg',
    inventory_item_id: variant.inventoryItemId,
    inventory_quantity: variant.available,
    old_inventory_quantity: variant.available,
    requires_shipping: true,
    admin_graphql_api_id: gid('ProductVariant', variant.id),
    image_id: null,
  };
}

/** products/update body. */
export function renderProduct(product: ProductRecord, shop: ShopProfile): JsonObject {
  return {
    admin_graphql_api_id: gid('Product', product.id),
    body_html: `<p>${product.title} by ${product.vendor}.</p>`,
    created_at: shopifyTime(product.createdAt, shop.utcOffsetMinutes),
    handle: product.handle,
    id: product.id,
    product_type: product.productType,
    published_at:
      product.status === 'active' ? shopifyTime(product.createdAt, shop.utcOffsetMinutes) : null,
    template_suffix: null,
    title: product.title,
    updated_at: shopifyTime(product.updatedAt, shop.utcOffsetMinutes),
    vendor: product.vendor,
    status: product.status,
    published_scope: 'global',
    tags: product.tags.join(', '),
    variants: product.variants.map((variant, index) => renderVariant(variant, index + 1, shop)),
    options: [
      {
        product_id: product.id,
        name: product.optionName,
        position: 1,
        values: product.variants.map((variant) => variant.option1),
      },
    ],
    images: [],
    image: null,
    media: [],
    variant_gids: product.variants.map((variant) => ({
      admin_graphql_api_id: gid('ProductVariant', variant.id),
      updated_at: new Date(variant.updatedAt).toISOString(),
    })),
  };
}

export interface InventoryLevelChange {
  inventoryItemId: bigint;
  locationId: bigint;
  available: number;
  at: Date;
}

/** inventory_levels/update body; its GID is the odd `InventoryLevel/{location}?inventory_item_id=` form. */
export function renderInventoryLevel(change: InventoryLevelChange, shop: ShopProfile): JsonObject {
  return {
    inventory_item_id: change.inventoryItemId,
    location_id: change.locationId,
    available: change.available,
    updated_at: shopifyTime(change.at, shop.utcOffsetMinutes),
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${change.locationId}?inventory_item_id=${change.inventoryItemId}`,
  };
}
