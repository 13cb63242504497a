import { SeededRandom } from '../../random/seeded-random';
import {
  COLOR_OPTIONS,
  FIRST_NAMES,
  LAST_NAMES,
  PRODUCT_ADJECTIVES,
  PRODUCT_NOUNS,
  SIZE_OPTIONS,
  VENDORS,
} from '../../webhooks/payloads/fake-identity.data';
import { slug } from '../../webhooks/payloads/payload-format';
import { shopProfile, type ShopProfile } from '../../webhooks/payloads/shop-profile';
import { DiscountStore } from './discount-store';
import { IdScheme } from './id-scheme';
import { MetafieldStore } from './metafield-store';
import type {
  CustomerRecord,
  FinancialStatus,
  FulfillmentStatus,
  InventoryLevelRecord,
  LocationRecord,
  OrderRecord,
  ProductRecord,
  ProductStatus,
  VariantRecord,
} from './store-records';

/** Both option lists have five values, so every product has exactly five variants. */
export const VARIANTS_PER_PRODUCT = 5;
export const MAX_LINE_ITEMS = 4;
const DAY = 24 * 3600_000;

/** Shopify's timestamps resolve to the second; a filter on them must see the same value. */
const toSecond = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000);

export interface StoreSizes {
  products: number;
  orders: number;
  customers: number;
}

interface ProductTraits {
  skuStem: string;
  options: readonly string[];
  basePrice: number;
}

type ProductPatch = Partial<
  Pick<ProductRecord, 'title' | 'tags' | 'status' | 'vendor' | 'productType'>
> & {
  updatedAt: Date;
};
type OrderPatch = Partial<Pick<OrderRecord, 'tags' | 'note' | 'email'>> & { updatedAt: Date };

/**
 * One shop's data: generated from the shop domain (the seed) and `anchor` (the UTC day the shop
 * was first used; timestamps lie before it), record by record and only when asked for. Each
 * record has its own seeded generator, so reading product 9,000 does not generate the 8,999
 * before it and the same index always yields the same record. Mutations are kept as patches
 * over the generated records.
 */
export class ShopStore {
  readonly profile: ShopProfile;
  readonly locations: LocationRecord[];
  readonly metafields: MetafieldStore;
  readonly discounts: DiscountStore;
  private readonly productIds: IdScheme;
  private readonly variantIds: IdScheme;
  private readonly itemIds: IdScheme;
  private readonly orderIds: IdScheme;
  private readonly lineItemIds: IdScheme;
  private readonly customerIds: IdScheme;
  private readonly products: (ProductRecord | undefined)[] = [];
  private readonly orders: (OrderRecord | undefined)[] = [];
  private readonly customers: (CustomerRecord | undefined)[] = [];
  private readonly traits: (ProductTraits | undefined)[] = [];
  private readonly productPatches = new Map<number, ProductPatch>();
  private readonly orderPatches = new Map<number, OrderPatch>();
  private readonly levelPatches = new Map<string, { available: number; updatedAt: Date }>();

  constructor(
    readonly shop: string,
    readonly sizes: StoreSizes,
    readonly anchor: Date,
  ) {
    this.profile = shopProfile(shop);
    this.locations = this.profile.locationIds.map((id, index) => ({
      index,
      id,
      name: index === 0 ? 'Main warehouse' : `Store ${index}`,
    }));
    this.productIds = new IdScheme(`${shop}:Product`, sizes.products);
    this.variantIds = new IdScheme(`${shop}:ProductVariant`, sizes.products * VARIANTS_PER_PRODUCT);
    this.itemIds = new IdScheme(`${shop}:InventoryItem`, sizes.products * VARIANTS_PER_PRODUCT);
    this.orderIds = new IdScheme(`${shop}:Order`, sizes.orders);
    this.lineItemIds = new IdScheme(`${shop}:LineItem`, sizes.orders * MAX_LINE_ITEMS);
    this.customerIds = new IdScheme(`${shop}:Customer`, sizes.customers);
    this.metafields = new MetafieldStore(shop, sizes.products);
    this.discounts = new DiscountStore(shop, anchor);
  }

  get variantCount(): number {
    return this.sizes.products * VARIANTS_PER_PRODUCT;
  }

  // ---- lookups by id (null when the id is not this shop's) ----

  productIndex(id: bigint): number | null {
    return this.productIds.index(id);
  }
  variantIndex(id: bigint): number | null {
    return this.variantIds.index(id);
  }
  inventoryItemIndex(id: bigint): number | null {
    return this.itemIds.index(id);
  }
  orderIndex(id: bigint): number | null {
    return this.orderIds.index(id);
  }
  customerIndex(id: bigint): number | null {
    return this.customerIds.index(id);
  }
  locationIndex(id: bigint): number | null {
    const index = this.locations.findIndex((location) => location.id === id);
    return index < 0 ? null : index;
  }

  // ---- records ----

  product(index: number): ProductRecord {
    let record = this.products[index];
    if (!record) {
      record = this.generateProduct(index);
      this.products[index] = record;
    }
    const patch = this.productPatches.get(index);
    return patch ? { ...record, ...patch } : record;
  }

  variant(index: number): VariantRecord {
    const productIndex = Math.floor(index / VARIANTS_PER_PRODUCT);
    const position = (index % VARIANTS_PER_PRODUCT) + 1;
    const product = this.product(productIndex);
    const traits = this.traits[productIndex]!;
    const option = traits.options[position - 1]!;
    return {
      index,
      productIndex,
      id: this.variantIds.id(index),
      inventoryItemId: this.itemIds.id(index),
      title: option,
      sku: `${traits.skuStem}-${productIndex + 1}-${slug(option).toUpperCase()}`,
      priceCents: traits.basePrice + (traits.options === SIZE_OPTIONS && position >= 4 ? 200 : 0),
      position,
      createdAt: product.createdAt,
      updatedAt: product.updatedAt,
    };
  }

  inventoryLevel(variantIndex: number, locationIndex: number): InventoryLevelRecord {
    const rng = new SeededRandom(`${this.shop}:level:${variantIndex}:${locationIndex}`);
    const generated: InventoryLevelRecord = {
      variantIndex,
      locationIndex,
      available: rng.int(0, 120),
      committed: rng.int(0, 5),
      updatedAt: this.variant(variantIndex).updatedAt,
    };
    const patch = this.levelPatches.get(`${variantIndex}:${locationIndex}`);
    return patch ? { ...generated, ...patch } : generated;
  }

  order(index: number): OrderRecord {
    let record = this.orders[index];
    if (!record) {
      record = this.generateOrder(index);
      this.orders[index] = record;
    }
    const patch = this.orderPatches.get(index);
    return patch ? { ...record, ...patch } : record;
  }

  customer(index: number): CustomerRecord {
    let record = this.customers[index];
    if (!record) {
      record = this.generateCustomer(index);
      this.customers[index] = record;
    }
    return record;
  }

  // ---- changes (mutations) ----

  updateProduct(index: number, changes: Omit<ProductPatch, 'updatedAt'>, at: Date): ProductRecord {
    const previous = this.productPatches.get(index);
    this.productPatches.set(index, { ...previous, ...changes, updatedAt: toSecond(at) });
    return this.product(index);
  }

  updateOrder(index: number, changes: Omit<OrderPatch, 'updatedAt'>, at: Date): OrderRecord {
    const previous = this.orderPatches.get(index);
    this.orderPatches.set(index, { ...previous, ...changes, updatedAt: toSecond(at) });
    return this.order(index);
  }

  setAvailable(variantIndex: number, locationIndex: number, available: number, at: Date): void {
    this.levelPatches.set(`${variantIndex}:${locationIndex}`, {
      available,
      updatedAt: toSecond(at),
    });
  }

  // ---- generators ----

  /** Spreads `index` of `count` evenly over [from, to) days before the anchor: ids and dates ascend together. */
  private timeOf(index: number, count: number, fromDays: number, toDays: number): Date {
    const span = (fromDays - toDays) * DAY;
    return toSecond(
      new Date(
        this.anchor.getTime() - fromDays * DAY + Math.floor((index * span) / Math.max(count, 1)),
      ),
    );
  }

  private latest(date: Date): Date {
    return toSecond(date.getTime() > this.anchor.getTime() ? this.anchor : date);
  }

  private generateProduct(index: number): ProductRecord {
    const rng = new SeededRandom(`${this.shop}:product:${index}`);
    const kind = rng.pick(PRODUCT_NOUNS);
    // What variants need is kept beside the product, so 50,000 variants cost no generator each.
    this.traits[index] = {
      skuStem: slug(kind.noun).toUpperCase().slice(0, 4),
      options: rng.chance(0.5) ? SIZE_OPTIONS : COLOR_OPTIONS,
      basePrice: rng.int(kind.priceCents[0] / 100, kind.priceCents[1] / 100) * 100 - 1,
    };
    const title = `${rng.pick(PRODUCT_ADJECTIVES)} ${kind.noun}`;
    const createdAt = this.timeOf(index, this.sizes.products, 400, 30);
    const status = rng.weighted<ProductStatus>([
      ['ACTIVE', 90],
      ['DRAFT', 7],
      ['ARCHIVED', 3],
    ]);
    return {
      index,
      id: this.productIds.id(index),
      title,
      handle: `${slug(title)}-${index + 1}`,
      status,
      vendor: rng.pick(VENDORS),
      productType: kind.type,
      tags: rng.chance(0.3) ? [rng.pick(['new-arrival', 'sale', 'featured', 'bestseller'])] : [],
      createdAt,
      updatedAt: this.latest(
        new Date(createdAt.getTime() + rng.int(0, 60) * DAY + rng.int(0, DAY)),
      ),
    };
  }

  private generateCustomer(index: number): CustomerRecord {
    const rng = new SeededRandom(`${this.shop}:customer:${index}`);
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const createdAt = this.timeOf(index, this.sizes.customers, 500, 1);
    return {
      index,
      id: this.customerIds.id(index),
      firstName,
      lastName,
      // example.com is reserved: simulated data can never reach a real mailbox.
      email: `${slug(firstName)}.${slug(lastName)}.${index + 1}@example.com`,
      createdAt,
      updatedAt: this.latest(new Date(createdAt.getTime() + rng.int(0, 30 * DAY))),
    };
  }

  private generateOrder(index: number): OrderRecord {
    const rng = new SeededRandom(`${this.shop}:order:${index}`);
    const createdAt = this.timeOf(index, this.sizes.orders, 90, 0);
    const customerIndex = rng.int(0, Math.max(0, this.sizes.customers - 1));
    // A shop sized to no products still answers for its orders, without line items.
    const lineCount = this.variantCount > 0 ? rng.int(1, MAX_LINE_ITEMS) : 0;
    const lineItems = Array.from({ length: lineCount }, (_, line) => {
      const variantIndex = rng.int(0, Math.max(0, this.variantCount - 1));
      const variant = this.variant(variantIndex);
      const product = this.product(variant.productIndex);
      return {
        id: this.lineItemIds.id(index * MAX_LINE_ITEMS + line),
        variantIndex,
        productIndex: variant.productIndex,
        title: product.title,
        variantTitle: variant.title,
        sku: variant.sku,
        quantity: rng.int(1, 3),
        unitPriceCents: variant.priceCents,
      };
    });
    const subtotalCents = lineItems.reduce(
      (sum, item) => sum + item.unitPriceCents * item.quantity,
      0,
    );
    const financialStatus = rng.weighted<FinancialStatus>([
      ['PAID', 80],
      ['PENDING', 7],
      ['AUTHORIZED', 5],
      ['REFUNDED', 4],
      ['PARTIALLY_REFUNDED', 4],
    ]);
    const fulfillmentStatus = rng.weighted<FulfillmentStatus>([
      ['FULFILLED', 60],
      ['UNFULFILLED', 35],
      ['PARTIALLY_FULFILLED', 5],
    ]);
    const cancelled = financialStatus === 'REFUNDED' && rng.chance(0.5);
    const updatedAt = this.latest(new Date(createdAt.getTime() + rng.int(0, 2 * DAY)));
    return {
      index,
      id: this.orderIds.id(index),
      name: `#${1001 + index}`,
      orderNumber: 1001 + index,
      email: this.customer(customerIndex).email,
      customerIndex,
      note: null,
      tags: [],
      createdAt,
      updatedAt,
      cancelledAt: cancelled ? updatedAt : null,
      financialStatus,
      fulfillmentStatus,
      lineItems,
      subtotalCents,
      totalCents: subtotalCents + Math.round(subtotalCents * 0.08),
    };
  }
}
