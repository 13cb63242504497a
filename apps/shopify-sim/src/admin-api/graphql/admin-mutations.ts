import { laterThan } from '../../webhooks/payloads/payload-format';
import { parseGid } from '../store/id-scheme';
import { METAFIELDS_PER_PRODUCT } from '../store/metafield-store';
import type { ProductStatus } from '../store/store-records';
import type { AdminContext } from './admin-context';
import {
  inventoryItemView,
  isoTime,
  locationView,
  metafieldView,
  orderView,
  productView,
} from './admin-views';
import { discountAutomaticNodeView } from './discount-views';

interface UserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}

interface ProductInput {
  id?: string | null;
  title?: string | null;
  tags?: string[] | null;
  status?: ProductStatus | null;
  vendor?: string | null;
  productType?: string | null;
}

interface OrderInput {
  id: string;
  tags?: string[] | null;
  note?: string | null;
  email?: string | null;
}

interface InventorySetQuantitiesInput {
  name: string;
  reason: string;
  referenceDocumentUri?: string | null;
  ignoreCompareQuantity?: boolean | null;
  quantities: {
    inventoryItemId: string;
    locationId: string;
    quantity: number;
    compareQuantity?: number | null;
    changeFromQuantity?: number | null;
  }[];
}

/** Inventory reasons Shopify accepts for `inventorySetQuantities`. */
const INVENTORY_REASONS = new Set([
  'correction',
  'cycle_count_available',
  'damaged',
  'movement_created',
  'movement_updated',
  'movement_received',
  'movement_canceled',
  'other',
  'promotion',
  'quality_control',
  'received',
  'reservation_created',
  'reservation_deleted',
  'reservation_updated',
  'restock',
  'safety_stock',
  'shrinkage',
]);

interface MetafieldsSetInput {
  ownerId: string;
  namespace: string;
  key: string;
  type?: string | null;
  value: string;
}

/** Shopify sets at most 25 metafields per call, all or nothing. */
const MAX_METAFIELDS_SET = 25;
const METAFIELD_NAME = /^[A-Za-z0-9_-]{2,64}$/;

let adjustmentGroupSequence = 0;

function indexOf(
  id: string | null | undefined,
  type: string,
  lookup: (id: bigint) => number | null,
): number | null {
  const parsed = id ? parseGid(id) : null;
  return parsed && parsed.type === type ? lookup(parsed.id) : null;
}

/** Tags as Shopify keeps them: trimmed, unique (case-insensitively), in first-seen order. */
function normaliseTags(tags: string[]): string[] {
  const seen = new Map<string, string>();
  for (const tag of tags.flatMap((value) => value.split(','))) {
    const trimmed = tag.trim();
    if (trimmed && !seen.has(trimmed.toLowerCase())) seen.set(trimmed.toLowerCase(), trimmed);
  }
  return [...seen.values()];
}

/** Root mutation fields; each returns its payload with userErrors, as Shopify's do. */
export const mutationRoot = {
  productUpdate: (
    args: { input?: ProductInput | null; product?: ProductInput | null },
    context: AdminContext,
  ) => {
    const input = args.product ?? args.input;
    const index = indexOf(input?.id, 'Product', (id) => context.store.productIndex(id));
    if (!input || index === null)
      return { product: null, userErrors: [{ field: ['id'], message: 'Product does not exist' }] };
    if (input.title != null && input.title.trim() === '')
      return { product: null, userErrors: [{ field: ['title'], message: "Title can't be blank" }] };
    const { store } = context;
    const changes: Parameters<typeof store.updateProduct>[1] = {};
    if (input.title != null) changes.title = input.title;
    if (input.tags != null) changes.tags = normaliseTags(input.tags);
    if (input.status != null) changes.status = input.status;
    if (input.vendor != null) changes.vendor = input.vendor;
    if (input.productType != null) changes.productType = input.productType;
    const record = store.updateProduct(
      index,
      changes,
      laterThan(store.product(index).updatedAt, context.now()),
    );
    context.changes?.productChanged(context.shop.domain, index);
    return { product: productView(context, record), userErrors: [] };
  },

  orderUpdate: ({ input }: { input: OrderInput }, context: AdminContext) => {
    const { store } = context;
    const index = indexOf(input.id, 'Order', (id) => store.orderIndex(id));
    if (index === null)
      return { order: null, userErrors: [{ field: ['id'], message: 'Order does not exist' }] };
    const changes: Parameters<typeof store.updateOrder>[1] = {};
    if (input.tags != null) changes.tags = normaliseTags(input.tags);
    if (input.note !== undefined) changes.note = input.note;
    if (input.email != null) changes.email = input.email;
    const record = store.updateOrder(
      index,
      changes,
      laterThan(store.order(index).updatedAt, context.now()),
    );
    return { order: orderView(context, record), userErrors: [] };
  },

  tagsAdd: ({ id, tags }: { id: string; tags: string[] }, context: AdminContext) => {
    const { store } = context;
    const parsed = parseGid(id);
    const productIndex = parsed?.type === 'Product' ? store.productIndex(parsed.id) : null;
    if (productIndex !== null) {
      const current = store.product(productIndex);
      const record = store.updateProduct(
        productIndex,
        { tags: normaliseTags([...current.tags, ...tags]) },
        laterThan(current.updatedAt, context.now()),
      );
      context.changes?.productChanged(context.shop.domain, productIndex);
      return { node: productView(context, record), userErrors: [] };
    }
    const orderIndex = parsed?.type === 'Order' ? store.orderIndex(parsed.id) : null;
    if (orderIndex !== null) {
      const current = store.order(orderIndex);
      const record = store.updateOrder(
        orderIndex,
        { tags: normaliseTags([...current.tags, ...tags]) },
        laterThan(current.updatedAt, context.now()),
      );
      return { node: orderView(context, record), userErrors: [] };
    }
    return { node: null, userErrors: [{ field: ['id'], message: 'Resource does not exist' }] };
  },

  /**
   * Sets absolute quantities, all or nothing: every line is checked before any is applied.
   * With `ignoreCompareQuantity: false`, a line whose `compareQuantity` is not the current value
   * fails the whole call (Shopify's optimistic concurrency check).
   */
  inventorySetQuantities: (
    { input }: { input: InventorySetQuantitiesInput },
    context: AdminContext,
  ) => {
    const { store } = context;
    const errors: UserError[] = [];
    if (input.name !== 'available' && input.name !== 'on_hand')
      errors.push({
        field: ['input', 'name'],
        message: 'The quantity name must be available or on_hand.',
        code: 'INVALID_NAME',
      });
    if (!INVENTORY_REASONS.has(input.reason))
      errors.push({
        field: ['input', 'reason'],
        message: 'The specified reason is invalid.',
        code: 'INVALID_REASON',
      });
    const lines = input.quantities.map((line, position) => {
      const variant = indexOf(line.inventoryItemId, 'InventoryItem', (id) =>
        store.inventoryItemIndex(id),
      );
      const location = indexOf(line.locationId, 'Location', (id) => store.locationIndex(id));
      const field = ['input', 'quantities', String(position)];
      if (variant === null)
        errors.push({
          field: [...field, 'inventoryItemId'],
          message: 'The specified inventory item could not be found.',
          code: 'INVALID_INVENTORY_ITEM',
        });
      if (location === null)
        errors.push({
          field: [...field, 'locationId'],
          message: 'The specified location could not be found.',
          code: 'INVALID_LOCATION',
        });
      if (line.quantity < 0 && input.name === 'on_hand')
        errors.push({
          field: [...field, 'quantity'],
          message: 'The quantity cannot be negative.',
          code: 'INVALID_QUANTITY_NEGATIVE',
        });
      if (variant !== null && location !== null && input.ignoreCompareQuantity === false) {
        const level = store.inventoryLevel(variant, location);
        const current =
          input.name === 'on_hand' ? level.available + level.committed : level.available;
        const expected = line.changeFromQuantity ?? line.compareQuantity;
        if (expected == null || expected !== current)
          errors.push({
            field: [...field, 'compareQuantity'],
            message: 'The compareQuantity value does not match the current quantity.',
            code: 'COMPARE_QUANTITY_STALE',
          });
      }
      return { line, variant, location };
    });
    if (errors.length > 0) return { inventoryAdjustmentGroup: null, userErrors: errors };
    const at = context.now();
    const changes = lines.map(({ line, variant, location }) => {
      const level = store.inventoryLevel(variant!, location!);
      const before = input.name === 'on_hand' ? level.available + level.committed : level.available;
      const available = input.name === 'on_hand' ? line.quantity - level.committed : line.quantity;
      store.setAvailable(variant!, location!, available, at);
      context.changes?.inventoryChanged(context.shop.domain, variant!, location!);
      return {
        name: input.name,
        delta: line.quantity - before,
        quantityAfterChange: line.quantity,
        item: () => inventoryItemView(context, variant!),
        location: () => locationView(store.locations[location!]!),
      };
    });
    adjustmentGroupSequence += 1;
    return {
      inventoryAdjustmentGroup: {
        id: `gid://shopify/InventoryAdjustmentGroup/${(BigInt(store.profile.id) * 1_000_000n + BigInt(adjustmentGroupSequence)).toString()}`,
        reason: input.reason,
        createdAt: isoTime(at),
        changes,
      },
      userErrors: [],
    };
  },

  /**
   * Creates or updates product metafields (the only owner type the simulator has), all or nothing.
   * Shopify tells apps about it with products/update; the simulator announces it the same way.
   */
  metafieldsSet: ({ metafields }: { metafields: MetafieldsSetInput[] }, context: AdminContext) => {
    const { store } = context;
    const errors: UserError[] = [];
    if (metafields.length > MAX_METAFIELDS_SET)
      errors.push({
        field: ['metafields'],
        message: `Exceeded the maximum metafields input limit of ${MAX_METAFIELDS_SET}.`,
        code: 'LESS_THAN_OR_EQUAL_TO',
      });
    const owners = metafields.map((input, position) => {
      const field = ['metafields', String(position)];
      const owner = indexOf(input.ownerId, 'Product', (id) => store.productIndex(id));
      if (owner === null)
        errors.push({
          field: [...field, 'ownerId'],
          message: 'Owner does not exist.',
          code: 'INVALID',
        });
      if (!METAFIELD_NAME.test(input.namespace) || !METAFIELD_NAME.test(input.key))
        errors.push({
          field: [...field, 'key'],
          message: 'Namespace and key must be 2 to 64 letters, digits, - or _.',
          code: 'INVALID',
        });
      return owner;
    });
    // All or nothing: an owner without room for its new keys fails the call before any write.
    const names = new Map<number, Set<string>>();
    metafields.forEach((input, position) => {
      const owner = owners[position];
      if (owner === null || owner === undefined) return;
      const set = names.get(owner) ?? new Set<string>();
      set.add(`${input.namespace}.${input.key}`);
      names.set(owner, set);
    });
    for (const [owner, keys] of names) {
      const existing = store.metafields.forProduct(store.product(owner));
      const known = new Set(existing.map((field) => `${field.namespace}.${field.key}`));
      const added = [...keys].filter((name) => !known.has(name)).length;
      if (existing.length + added > METAFIELDS_PER_PRODUCT)
        errors.push({
          field: ['metafields'],
          message: `An owner holds at most ${METAFIELDS_PER_PRODUCT} metafields in the simulator.`,
          code: 'INVALID',
        });
    }
    if (errors.length > 0) return { metafields: null, userErrors: errors };
    const written = metafields.map((input, position) => {
      const index = owners[position]!;
      const product = store.product(index);
      const at = laterThan(product.updatedAt, context.now());
      const record = store.metafields.set(
        product,
        {
          namespace: input.namespace,
          key: input.key,
          type: input.type ?? null,
          value: input.value,
        },
        at,
      );
      // A metafield change is a product change for Shopify's updated_at and webhooks.
      store.updateProduct(index, {}, at);
      context.changes?.productChanged(context.shop.domain, index);
      return record;
    });
    // Room was checked above, so every set found a slot.
    return { metafields: written.map((record) => metafieldView(record!)), userErrors: [] };
  },

  discountAutomaticBasicUpdate: (
    args: {
      id: string;
      automaticBasicDiscount: {
        title?: string | null;
        startsAt?: string | null;
        endsAt?: string | null;
      };
    },
    context: AdminContext,
  ) => {
    const { discounts } = context.store;
    const parsed = parseGid(args.id);
    const index = parsed?.type === 'DiscountAutomaticNode' ? discounts.index(parsed.id) : null;
    if (index === null || discounts.discount(index).method !== 'automatic')
      return {
        automaticDiscountNode: null,
        userErrors: [{ field: ['id'], message: 'Discount does not exist', code: null }],
      };
    const input = args.automaticBasicDiscount;
    if (input.title != null && input.title.trim() === '')
      return {
        automaticDiscountNode: null,
        userErrors: [
          {
            field: ['automaticBasicDiscount', 'title'],
            message: "Title can't be blank",
            code: 'BLANK',
          },
        ],
      };
    const changes: Parameters<typeof discounts.update>[1] = {};
    if (input.title != null) changes.title = input.title;
    if (input.startsAt != null) changes.startsAt = new Date(input.startsAt);
    if (input.endsAt !== undefined)
      changes.endsAt = input.endsAt === null ? null : new Date(input.endsAt);
    const record = discounts.update(index, changes, context.now());
    return { automaticDiscountNode: discountAutomaticNodeView(context, record), userErrors: [] };
  },

  bulkOperationRunQuery: ({ query }: { query: string }, context: AdminContext) =>
    context.bulk.runQuery(context, query),

  bulkOperationCancel: ({ id }: { id: string }, context: AdminContext) =>
    context.bulk.cancel(context, id),
};
