import type { ShopifyAdminClient } from '@shopwire/shopify-admin';

/** How one catalog origin reads its documents through `nodes(ids:)`. */
export interface NodesRead<Node> {
  /** A query taking `$ids: [ID!]!` and selecting `nodes(ids: $ids)`. */
  query: string;
  /** The GID type of the ids (`Product`, `ProductVariant`). */
  gidType: string;
  /** Ids per call: bounded by Shopify's 1,000-point single-query limit and 250 ids per call. */
  perCall: number;
  /** Predicted cost per id, so the budget waits for the points before sending. */
  costPerId: number;
  /** The document a node becomes (its id and JSON text), or null when it is not one. */
  toDocument(node: Node): { id: string; json: string } | null;
}

/**
 * The documents for `ids` (legacy numeric ids), read in parts of `perCall` ids at once through
 * the budgeted client; absent or foreign nodes are simply not found.
 */
export async function loadNodes<Node>(
  client: ShopifyAdminClient,
  shop: string,
  ids: string[],
  read: NodesRead<Node>,
): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>();
  const calls: Promise<void>[] = [];
  for (let i = 0; i < ids.length; i += read.perCall) {
    const part = ids.slice(i, i + read.perCall);
    calls.push(
      client
        .graphql<{ nodes: (Node | null)[] }>(
          shop,
          read.query,
          { ids: part.map((id) => `gid://shopify/${read.gidType}/${id}`) },
          { priority: 'default', expectedCost: part.length * read.costPerId },
        )
        .then((data) => {
          for (const node of data.nodes ?? []) {
            const document = node ? read.toDocument(node) : null;
            if (document) found.set(document.id, document.json);
          }
        }),
    );
  }
  await Promise.all(calls);
  return found;
}
