import { GraphQLError } from 'graphql';
import { discountStatus } from '../store/discount-store';
import { parseGid } from '../store/id-scheme';
import {
  parseSearchQuery,
  searchPredicate,
  SearchSyntaxError,
  type FieldReader,
} from '../store/search-query';
import type {
  CustomerRecord,
  DiscountRecord,
  OrderRecord,
  ProductRecord,
  VariantRecord,
} from '../store/store-records';
import type { AdminContext } from './admin-context';
import {
  customerView,
  inventoryItemView,
  inventoryLevelView,
  locationView,
  orderView,
  productView,
  shopView,
  variantView,
} from './admin-views';
import { discountAutomaticNodeView, discountNodeType, discountNodeView } from './discount-views';
import { arrayList, paginate, rangeList, type ConnectionArgs, type IndexList } from './connection';

type SearchArgs = ConnectionArgs & { query?: string | null };

const PRODUCT_FIELDS: Record<string, FieldReader<ProductRecord>> = {
  updated_at: (p) => p.updatedAt,
  created_at: (p) => p.createdAt,
  status: (p) => p.status,
  title: (p) => p.title,
  handle: (p) => p.handle,
  vendor: (p) => p.vendor,
  product_type: (p) => p.productType,
  tag: (p) => p.tags,
};
const VARIANT_FIELDS: Record<string, FieldReader<VariantRecord>> = {
  updated_at: (v) => v.updatedAt,
  created_at: (v) => v.createdAt,
  sku: (v) => v.sku,
  title: (v) => v.title,
};
const ORDER_FIELDS: Record<string, FieldReader<OrderRecord>> = {
  updated_at: (o) => o.updatedAt,
  created_at: (o) => o.createdAt,
  processed_at: (o) => o.createdAt,
  name: (o) => o.name,
  email: (o) => o.email,
  tag: (o) => o.tags,
  financial_status: (o) => o.financialStatus,
  fulfillment_status: (o) => o.fulfillmentStatus,
  // Shopify's order status filter: open or cancelled (the simulator closes no orders).
  status: (o) => (o.cancelledAt ? 'cancelled' : 'open'),
};
const CUSTOMER_FIELDS: Record<string, FieldReader<CustomerRecord>> = {
  updated_at: (c) => c.updatedAt,
  created_at: (c) => c.createdAt,
  email: (c) => c.email,
  first_name: (c) => c.firstName,
  last_name: (c) => c.lastName,
};

/** Shopify's discountNodes filters the simulator knows (status depends on the time of asking). */
const discountFields = (now: Date): Record<string, FieldReader<DiscountRecord>> => ({
  status: (d) => discountStatus(d, now),
  method: (d) => d.method,
  title: (d) => d.title,
  updated_at: (d) => d.updatedAt,
});

/** A discount of this shop by its node gid (DiscountAutomaticNode / DiscountCodeNode), or null. */
function discountIndex(context: AdminContext, id: string): number | null {
  const parsed = parseGid(id);
  const index = parsed ? context.store.discounts.index(parsed.id) : null;
  if (index === null) return null;
  return discountNodeType(context.store.discounts.discount(index)) === parsed!.type ? index : null;
}

/**
 * Indices of the records a `query:` argument selects, ascending. An unfiltered list stays
 * virtual; a filtered one scans the generated records (cheap: 10,000 products in milliseconds).
 */
function select<T>(
  count: number,
  query: string | null | undefined,
  fields: Record<string, FieldReader<T>>,
  load: (index: number) => T,
): IndexList {
  let predicate: ((record: T) => boolean) | null;
  try {
    predicate = searchPredicate(parseSearchQuery(query), fields);
  } catch (error) {
    if (error instanceof SearchSyntaxError) throw new GraphQLError(error.message);
    throw error;
  }
  if (!predicate) return rangeList(count);
  const matching: number[] = [];
  for (let index = 0; index < count; index++) if (predicate(load(index))) matching.push(index);
  return arrayList(matching);
}

type CountArgs = { query?: string | null; limit?: number | null };

function count(list: IndexList, { limit }: CountArgs) {
  if (limit == null || list.length <= limit) return { count: list.length, precision: 'EXACT' };
  return { count: limit, precision: 'AT_LEAST' };
}

/** Any object of this shop by its gid, or null (unknown type, other shop, out of range). */
export function findNode(context: AdminContext, id: string): unknown {
  const parsed = parseGid(id);
  if (!parsed) return null;
  const { store } = context;
  const at = <T>(index: number | null, view: (index: number) => T) =>
    index === null ? null : view(index);
  switch (parsed.type) {
    case 'Product':
      return at(store.productIndex(parsed.id), (i) => productView(context, store.product(i)));
    case 'ProductVariant':
      return at(store.variantIndex(parsed.id), (i) => variantView(context, i));
    case 'InventoryItem':
      return at(store.inventoryItemIndex(parsed.id), (i) => inventoryItemView(context, i));
    case 'InventoryLevel': {
      const item = parsed.params.get('inventory_item_id');
      const variant =
        item && /^\d{1,20}$/.test(item) ? store.inventoryItemIndex(BigInt(item)) : null;
      const location = store.locationIndex(parsed.id);
      return variant === null || location === null
        ? null
        : inventoryLevelView(context, variant, location);
    }
    case 'Location':
      return at(store.locationIndex(parsed.id), (i) => locationView(store.locations[i]!));
    case 'Order':
      return at(store.orderIndex(parsed.id), (i) => orderView(context, store.order(i)));
    case 'Customer':
      return at(store.customerIndex(parsed.id), (i) => customerView(store.customer(i)));
    case 'Shop':
      return id === shopView(context).id ? shopView(context) : null;
    case 'DiscountAutomaticNode': {
      const index = discountIndex(context, id);
      return index === null
        ? null
        : discountAutomaticNodeView(context, store.discounts.discount(index));
    }
    case 'BulkOperation':
      return context.bulk.find(context, id);
    default:
      return null;
  }
}

const typed = (typename: string) => (node: unknown) =>
  node && (node as { __typename?: string }).__typename === typename ? node : null;

/** Root query fields; graphql-js calls each with (args, context). */
export const queryRoot = {
  shop: (_: unknown, context: AdminContext) => shopView(context),
  node: ({ id }: { id: string }, context: AdminContext) => findNode(context, id),
  nodes: ({ ids }: { ids: string[] }, context: AdminContext) =>
    ids.map((id) => findNode(context, id)),
  product: ({ id }: { id: string }, context: AdminContext) =>
    typed('Product')(findNode(context, id)),
  products: (args: SearchArgs, context: AdminContext) => {
    const { store } = context;
    const list = select(store.sizes.products, args.query, PRODUCT_FIELDS, (i) => store.product(i));
    return paginate(list, args, (i) => productView(context, store.product(i)));
  },
  productVariant: ({ id }: { id: string }, context: AdminContext) =>
    typed('ProductVariant')(findNode(context, id)),
  productVariants: (args: SearchArgs, context: AdminContext) => {
    const { store } = context;
    const list = select(store.variantCount, args.query, VARIANT_FIELDS, (i) => store.variant(i));
    return paginate(list, args, (i) => variantView(context, i));
  },
  inventoryItem: ({ id }: { id: string }, context: AdminContext) =>
    typed('InventoryItem')(findNode(context, id)),
  inventoryItems: (args: SearchArgs, context: AdminContext) => {
    const { store } = context;
    const list = select(store.variantCount, args.query, VARIANT_FIELDS, (i) => store.variant(i));
    return paginate(list, args, (i) => inventoryItemView(context, i));
  },
  inventoryLevel: ({ id }: { id: string }, context: AdminContext) =>
    typed('InventoryLevel')(findNode(context, id)),
  location: ({ id }: { id?: string | null }, context: AdminContext) =>
    id ? typed('Location')(findNode(context, id)) : locationView(context.store.locations[0]!),
  locations: (args: ConnectionArgs, context: AdminContext) =>
    paginate(rangeList(context.store.locations.length), args, (i) =>
      locationView(context.store.locations[i]!),
    ),
  order: ({ id }: { id: string }, context: AdminContext) => typed('Order')(findNode(context, id)),
  orders: (args: SearchArgs, context: AdminContext) => {
    const { store } = context;
    const list = select(store.sizes.orders, args.query, ORDER_FIELDS, (i) => store.order(i));
    return paginate(list, args, (i) => orderView(context, store.order(i)));
  },
  productsCount: (args: CountArgs, context: AdminContext) => {
    const { store } = context;
    return count(
      select(store.sizes.products, args.query, PRODUCT_FIELDS, (i) => store.product(i)),
      args,
    );
  },
  ordersCount: (args: CountArgs, context: AdminContext) => {
    const { store } = context;
    return count(
      select(store.sizes.orders, args.query, ORDER_FIELDS, (i) => store.order(i)),
      args,
    );
  },
  customer: ({ id }: { id: string }, context: AdminContext) =>
    typed('Customer')(findNode(context, id)),
  customers: (args: SearchArgs, context: AdminContext) => {
    const { store } = context;
    const list = select(store.sizes.customers, args.query, CUSTOMER_FIELDS, (i) =>
      store.customer(i),
    );
    return paginate(list, args, (i) => customerView(store.customer(i)));
  },
  bulkOperation: ({ id }: { id: string }, context: AdminContext) => context.bulk.find(context, id),
  discountNode: ({ id }: { id: string }, context: AdminContext) => {
    const index = discountIndex(context, id);
    return index === null
      ? null
      : discountNodeView(context, context.store.discounts.discount(index));
  },
  discountNodes: (args: SearchArgs, context: AdminContext) => {
    const { discounts } = context.store;
    const list = select(discounts.count, args.query, discountFields(context.now()), (i) =>
      discounts.discount(i),
    );
    return paginate(list, args, (i) => discountNodeView(context, discounts.discount(i)));
  },
  currentBulkOperation: ({ type }: { type?: 'QUERY' | 'MUTATION' | null }, context: AdminContext) =>
    context.bulk.current(context, type ?? 'QUERY'),
};
