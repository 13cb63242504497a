import type { ShopifyAdminClient } from '@shopwire/shopify-admin';
import type { ProductOrigin } from './product-origin';
import { loadNodes } from './admin-api-nodes';

/** Variants read per product: a document shows at most this many (the cost stays bounded). */
export const VARIANTS_PER_PRODUCT = 20;
/**
 * Products per GraphQL call. `nodes(ids:)` costs per id: product 1 + variants connection 2 +
 * 20 × (variant 1 + inventory item 1) = 43, so 20 ids ≈ 860 points — under Shopify's 1,000-point
 * single-query limit, with room for the client's safety margin.
 */
export const PRODUCTS_PER_CALL = 20;
const COST_PER_PRODUCT = 3 + 2 * VARIANTS_PER_PRODUCT;

const QUERY = /* GraphQL */ `
  query CatalogProducts($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Product {
        legacyResourceId
        title
        handle
        status
        updatedAt
        variants(first: ${VARIANTS_PER_PRODUCT}) {
          nodes {
            legacyResourceId
            sku
            price
            inventoryItem {
              legacyResourceId
            }
          }
        }
      }
    }
  }
`;

type Scalar = string | number | null | undefined;

interface ProductNode {
  legacyResourceId?: Scalar;
  title?: Scalar;
  handle?: Scalar;
  status?: Scalar;
  updatedAt?: Scalar;
  variants?: {
    nodes: {
      legacyResourceId: Scalar;
      sku: Scalar;
      price: Scalar;
      inventoryItem: { legacyResourceId: Scalar } | null;
    }[];
  };
}

// The client parses losslessly: an id above 2^53 arrives as its digit string, smaller numbers as
// numbers; either way the document carries the exact digits as a string.
const text = (value: Scalar): string | null =>
  value === null || value === undefined ? null : String(value);

/** The same document shape as the mirror origin, so switching origins changes nothing for callers. */
export function productDocument(node: ProductNode): { id: string; json: string } | null {
  const id = text(node.legacyResourceId);
  if (!id) return null; // not a Product (nodes() answers null or another type for a foreign id)
  const status = text(node.status);
  const document = {
    id,
    title: text(node.title),
    handle: text(node.handle),
    status: status === null ? null : status.toLowerCase(),
    updated_at: text(node.updatedAt),
    variants: (node.variants?.nodes ?? []).map((v) => ({
      id: text(v.legacyResourceId),
      sku: text(v.sku),
      price: text(v.price),
      inventory_item_id: text(v.inventoryItem?.legacyResourceId),
    })),
  };
  // Every value is a string or null here, so JSON.stringify cannot round an id.
  return { id, json: JSON.stringify(document) };
}

/**
 * Products from the shop's Admin API through the budgeted client (shared per-shop cost budget,
 * retries with jitter, breaker per shop), `PRODUCTS_PER_CALL` ids per GraphQL call. No inventory
 * quantity is selected: documents that are cached must not carry one.
 */
export class AdminApiProductOrigin implements ProductOrigin {
  constructor(private readonly client: ShopifyAdminClient) {}

  async load(shop: string, ids: string[]): Promise<Map<string, string | null>> {
    return loadNodes<ProductNode>(this.client, shop, ids, {
      query: QUERY,
      gidType: 'Product',
      perCall: PRODUCTS_PER_CALL,
      costPerId: COST_PER_PRODUCT,
      toDocument: productDocument,
    });
  }
}
