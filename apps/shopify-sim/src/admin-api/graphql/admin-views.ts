import { GraphQLError } from 'graphql';
import { gid, money } from '../../webhooks/payloads/payload-format';
import { VARIANTS_PER_PRODUCT } from '../store/shop-store';
import type {
  CustomerRecord,
  LineItemRecord,
  LocationRecord,
  MetafieldRecord,
  OrderRecord,
  ProductRecord,
} from '../store/store-records';
import type { AdminContext } from './admin-context';
import { paginate, rangeList, type ConnectionArgs, type IndexList } from './connection';

/**
 * GraphQL objects as plain objects: scalar fields are values, fields with arguments or nested
 * objects are functions graphql-js calls lazily (its default resolver calls a function-valued
 * property with the field's arguments), so nothing below what a query selects is generated.
 */
export const isoTime = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

const QUANTITY_NAMES = [
  'available',
  'committed',
  'on_hand',
  'incoming',
  'reserved',
  'damaged',
  'safety_stock',
  'quality_control',
] as const;

function moneyBag(context: AdminContext, cents: number) {
  const { currency, presentment } = context.store.profile;
  return {
    shopMoney: { amount: money(cents), currencyCode: currency },
    presentmentMoney: {
      amount: money(Math.round(cents * presentment.rate)),
      currencyCode: presentment.currency,
    },
  };
}

export function shopView(context: AdminContext) {
  const { profile } = context.store;
  return {
    __typename: 'Shop',
    id: `gid://shopify/Shop/${profile.id}`,
    name: profile.name,
    email: profile.email,
    myshopifyDomain: profile.domain,
    currencyCode: profile.currency,
    ianaTimezone:
      profile.utcOffsetMinutes === 0
        ? 'Etc/UTC'
        : `Etc/GMT${profile.utcOffsetMinutes < 0 ? '+' : '-'}${Math.abs(profile.utcOffsetMinutes / 60)}`,
    // North American shops weigh in pounds and show prices before tax; the others, as in Europe.
    weightUnit: profile.currency === 'USD' || profile.currency === 'CAD' ? 'POUNDS' : 'KILOGRAMS',
    taxesIncluded: profile.currency === 'EUR' || profile.currency === 'GBP',
    plan: {
      displayName: context.shop.plan.charAt(0).toUpperCase() + context.shop.plan.slice(1),
      shopifyPlus: context.shop.plan === 'plus' || context.shop.plan === 'enterprise',
    },
  };
}

export function productView(context: AdminContext, record: ProductRecord) {
  const first = record.index * VARIANTS_PER_PRODUCT;
  const variants: IndexList = { length: VARIANTS_PER_PRODUCT, at: (position) => first + position };
  return {
    __typename: 'Product',
    id: gid('Product', record.id),
    legacyResourceId: record.id.toString(),
    title: record.title,
    handle: record.handle,
    status: record.status,
    vendor: record.vendor,
    productType: record.productType,
    tags: record.tags,
    createdAt: isoTime(record.createdAt),
    updatedAt: isoTime(record.updatedAt),
    totalInventory: () => {
      let total = 0;
      for (let position = 0; position < VARIANTS_PER_PRODUCT; position++)
        total += availableEverywhere(context, first + position);
      return total;
    },
    variants: (args: ConnectionArgs) =>
      paginate(variants, args, (index) => variantView(context, index)),
    metafields: (args: ConnectionArgs & { namespace?: string | null }) => {
      const fields = context.store.metafields
        .forProduct(record)
        .filter((field) => args.namespace == null || field.namespace === args.namespace);
      return paginate(rangeList(fields.length), args, (i) => metafieldView(fields[i]!));
    },
  };
}

export function metafieldView(record: MetafieldRecord) {
  return {
    __typename: 'Metafield',
    id: gid('Metafield', record.id),
    legacyResourceId: record.id.toString(),
    namespace: record.namespace,
    key: record.key,
    type: record.type,
    value: record.value,
    createdAt: isoTime(record.createdAt),
    updatedAt: isoTime(record.updatedAt),
  };
}

function availableEverywhere(context: AdminContext, variantIndex: number): number {
  return context.store.locations.reduce(
    (sum, location) => sum + context.store.inventoryLevel(variantIndex, location.index).available,
    0,
  );
}

export function variantView(context: AdminContext, index: number) {
  const record = context.store.variant(index);
  return {
    __typename: 'ProductVariant',
    id: gid('ProductVariant', record.id),
    legacyResourceId: record.id.toString(),
    title: record.title,
    displayName: () => `${context.store.product(record.productIndex).title} - ${record.title}`,
    sku: record.sku,
    price: money(record.priceCents),
    position: record.position,
    inventoryQuantity: () => availableEverywhere(context, index),
    createdAt: isoTime(record.createdAt),
    updatedAt: isoTime(record.updatedAt),
    product: () => productView(context, context.store.product(record.productIndex)),
    inventoryItem: () => inventoryItemView(context, index),
  };
}

export function inventoryItemView(context: AdminContext, variantIndex: number) {
  const variant = context.store.variant(variantIndex);
  return {
    __typename: 'InventoryItem',
    id: gid('InventoryItem', variant.inventoryItemId),
    legacyResourceId: variant.inventoryItemId.toString(),
    sku: variant.sku,
    tracked: true,
    createdAt: isoTime(variant.createdAt),
    updatedAt: isoTime(variant.updatedAt),
    variant: () => variantView(context, variantIndex),
    inventoryLevels: (args: ConnectionArgs) =>
      paginate(rangeList(context.store.locations.length), args, (location) =>
        inventoryLevelView(context, variantIndex, location),
      ),
    inventoryLevel: ({ locationId }: { locationId: string }) => {
      const location = context.store.locations.find(
        (candidate) => gid('Location', candidate.id) === locationId,
      );
      return location ? inventoryLevelView(context, variantIndex, location.index) : null;
    },
  };
}

export function inventoryLevelGid(itemId: bigint, locationId: bigint): string {
  return `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${itemId}`;
}

export function inventoryLevelView(
  context: AdminContext,
  variantIndex: number,
  locationIndex: number,
) {
  const level = context.store.inventoryLevel(variantIndex, locationIndex);
  const location = context.store.locations[locationIndex]!;
  const itemId = context.store.variant(variantIndex).inventoryItemId;
  const quantity = (name: string): number => {
    switch (name) {
      case 'available':
        return level.available;
      case 'committed':
        return level.committed;
      case 'on_hand':
        return level.available + level.committed;
      default:
        return 0;
    }
  };
  return {
    __typename: 'InventoryLevel',
    id: inventoryLevelGid(itemId, location.id),
    location: () => locationView(location),
    item: () => inventoryItemView(context, variantIndex),
    available: level.available,
    updatedAt: isoTime(level.updatedAt),
    quantities: ({ names }: { names: string[] }) =>
      names.map((name) => {
        if (!(QUANTITY_NAMES as readonly string[]).includes(name))
          throw new GraphQLError(
            `The quantity name '${name}' is not valid. Valid names: ${QUANTITY_NAMES.join(', ')}.`,
          );
        return {
          id: `gid://shopify/InventoryQuantity/${location.id}?inventory_item_id=${itemId}&name=${name}`,
          name,
          quantity: quantity(name),
          updatedAt: isoTime(level.updatedAt),
        };
      }),
  };
}

export function locationView(record: LocationRecord) {
  return {
    __typename: 'Location',
    id: gid('Location', record.id),
    legacyResourceId: record.id.toString(),
    name: record.name,
    isActive: true,
  };
}

export function customerView(record: CustomerRecord) {
  return {
    __typename: 'Customer',
    id: gid('Customer', record.id),
    legacyResourceId: record.id.toString(),
    email: record.email,
    firstName: record.firstName,
    lastName: record.lastName,
    displayName: `${record.firstName} ${record.lastName}`,
    createdAt: isoTime(record.createdAt),
    updatedAt: isoTime(record.updatedAt),
  };
}

function lineItemView(context: AdminContext, item: LineItemRecord) {
  return {
    __typename: 'LineItem',
    id: gid('LineItem', item.id),
    title: item.title,
    name: `${item.title} - ${item.variantTitle}`,
    quantity: item.quantity,
    sku: item.sku,
    variant: () => variantView(context, item.variantIndex),
    product: () => productView(context, context.store.product(item.productIndex)),
    originalUnitPriceSet: () => moneyBag(context, item.unitPriceCents),
  };
}

export function orderView(context: AdminContext, record: OrderRecord) {
  return {
    __typename: 'Order',
    id: gid('Order', record.id),
    legacyResourceId: record.id.toString(),
    name: record.name,
    email: record.email,
    note: record.note,
    tags: record.tags,
    currencyCode: context.store.profile.currency,
    createdAt: isoTime(record.createdAt),
    updatedAt: isoTime(record.updatedAt),
    processedAt: isoTime(record.createdAt),
    cancelledAt: record.cancelledAt ? isoTime(record.cancelledAt) : null,
    displayFinancialStatus: record.financialStatus,
    displayFulfillmentStatus: record.fulfillmentStatus,
    totalPriceSet: () => moneyBag(context, record.totalCents),
    subtotalPriceSet: () => moneyBag(context, record.subtotalCents),
    customer: () => customerView(context.store.customer(record.customerIndex)),
    lineItems: (args: ConnectionArgs) =>
      paginate(rangeList(record.lineItems.length), args, (line) =>
        lineItemView(context, record.lineItems[line]!),
      ),
  };
}
