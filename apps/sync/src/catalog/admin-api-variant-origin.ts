import type { CacheOrigin } from '@shopwire/cache';
import type { ShopifyAdminClient } from '@shopwire/shopify-admin';
import { loadNodes } from './admin-api-nodes';

/**
 * Variants per GraphQL call. `nodes(ids:)` costs per id: variant 1 + product 1 + inventory
 * item 1 = 3, so 100 ids ≈ 300 points — well under the 1,000-point single-query limit and
 * Shopify's 250 ids per `nodes` call.
 */
export const VARIANTS_PER_CALL = 100;
const COST_PER_VARIANT = 3;

const QUERY = /* GraphQL */ `
  query CatalogVariants($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on ProductVariant {
        legacyResourceId
        sku
        price
        product {
          legacyResourceId
        }
        inventoryItem {
          legacyResourceId
        }
      }
    }
  }
`;

type Scalar = string | number | null | undefined;

interface VariantNode {
  legacyResourceId?: Scalar;
  sku?: Scalar;
  price?: Scalar;
  product?: { legacyResourceId: Scalar } | null;
  inventoryItem?: { legacyResourceId: Scalar } | null;
}

// The client parses losslessly: ids above 2^53 arrive as digit strings, smaller ones as numbers.
const text = (value: Scalar): string | null =>
  value === null || value === undefined ? null : String(value);

/**
 * The variant document, the same shape as the mirror's (`CatalogReadRepository.loadVariants`):
 * no inventory quantity, ever — those are never cached.
 */
export function variantDocument(node: VariantNode): { id: string; json: string } | null {
  const id = text(node.legacyResourceId);
  if (!id) return null; // not a ProductVariant (a foreign id answers null or another type)
  const document = {
    id,
    product_id: text(node.product?.legacyResourceId),
    sku: text(node.sku),
    price: text(node.price),
    inventory_item_id: text(node.inventoryItem?.legacyResourceId),
  };
  // Every value is a string or null, so JSON.stringify cannot round an id.
  return { id, json: JSON.stringify(document) };
}

/** Variants from the shop's Admin API through the budgeted client, `VARIANTS_PER_CALL` a call. */
export class AdminApiVariantOrigin implements CacheOrigin {
  constructor(private readonly client: ShopifyAdminClient) {}

  async load(shop: string, ids: string[]): Promise<Map<string, string | null>> {
    return loadNodes<VariantNode>(this.client, shop, ids, {
      query: QUERY,
      gidType: 'ProductVariant',
      perCall: VARIANTS_PER_CALL,
      costPerId: COST_PER_VARIANT,
      toDocument: variantDocument,
    });
  }
}
