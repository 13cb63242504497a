import type { CacheOrigin } from '@shopwire/cache';
import type { SyncAdminClient } from '../admin-api/sync-admin-client';
import { loadNodes } from './admin-api-nodes';

/** Metafields read per product; a document says `truncated: true` when the product has more. */
export const METAFIELDS_PER_PRODUCT = 50;
/**
 * Products per call: each costs product 1 + metafields connection 2 + 50 × metafield 1 = 53, so
 * 15 ≈ 795 points, under Shopify's 1,000-point single-query limit with the client's margin.
 */
export const METAFIELD_PRODUCTS_PER_CALL = 15;
const COST_PER_PRODUCT = 3 + METAFIELDS_PER_PRODUCT;

const QUERY = /* GraphQL */ `
  query CatalogProductMetafields($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Product {
        legacyResourceId
        metafields(first: ${METAFIELDS_PER_PRODUCT}) {
          nodes {
            namespace
            key
            type
            value
          }
          pageInfo {
            hasNextPage
          }
        }
      }
    }
  }
`;

type Scalar = string | number | null | undefined;

interface ProductMetafieldsNode {
  legacyResourceId?: Scalar;
  metafields?: {
    nodes: { namespace: Scalar; key: Scalar; type: Scalar; value: Scalar }[];
    pageInfo?: { hasNextPage?: boolean };
  };
}

const text = (value: Scalar): string | null =>
  value === null || value === undefined ? null : String(value);

/**
 * `{product_id, metafields: [{namespace, key, type, value}], truncated}`. A value stays the
 * string Shopify stores (JSON-typed metafields hold their JSON text), so nothing in it is parsed.
 */
export function metafieldsDocument(
  node: ProductMetafieldsNode,
): { id: string; json: string } | null {
  const id = text(node.legacyResourceId);
  if (!id) return null; // not a Product: unknown id, or another shop's
  const document = {
    product_id: id,
    metafields: (node.metafields?.nodes ?? []).map((m) => ({
      namespace: text(m.namespace),
      key: text(m.key),
      type: text(m.type),
      value: text(m.value),
    })),
    truncated: node.metafields?.pageInfo?.hasNextPage === true,
  };
  return { id, json: JSON.stringify(document) };
}

/**
 * A product's metafields, always from the Admin API whatever `CATALOG_ORIGIN` says: products
 * webhooks carry metafields only for namespaces a subscription names, so a mirror of them would be
 * incomplete without anyone noticing. Purged by the product's products/* webhooks (Shopify sends
 * products/update when a product's metafields change).
 */
export class MetafieldsOrigin implements CacheOrigin {
  constructor(private readonly admin: SyncAdminClient) {}

  async load(shop: string, productIds: string[]): Promise<Map<string, string | null>> {
    await this.admin.assertAccess(shop);
    return loadNodes<ProductMetafieldsNode>(this.admin.client, shop, productIds, {
      query: QUERY,
      gidType: 'Product',
      perCall: METAFIELD_PRODUCTS_PER_CALL,
      costPerId: COST_PER_PRODUCT,
      toDocument: metafieldsDocument,
    });
  }
}
