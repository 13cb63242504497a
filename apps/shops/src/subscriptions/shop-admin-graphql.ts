import { isShopifyAdminError, type ShopifyAdminClient } from '@shopwire/shopify-admin';
import type { ShopGraphql } from '@shopwire/shopify-subscriptions';
import { createHash } from 'node:crypto';

/** What the reconciler needs of the installations (the shop's current token, a forced refresh). */
export interface ShopTokens {
  accessToken(shop: string): Promise<{ accessToken: string }>;
  refreshRejected(shop: string, rejectedSha256: string): Promise<{ accessToken: string }>;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * One shop's Admin GraphQL through the shared client. The token is looked up per call (the
 * client's `accessToken` callback); a 401 means the stored token went stale between the lookup
 * and Shopify (expired, rotated by another replica), so it is refreshed once — only if it is
 * still the rejected one — and the call repeated.
 */
export function shopGraphql(
  client: ShopifyAdminClient,
  tokens: ShopTokens,
  shop: string,
): ShopGraphql {
  return async (query, variables) => {
    try {
      return await client.graphql(shop, query, variables);
    } catch (error) {
      if (!isShopifyAdminError(error) || error.status !== 401) throw error;
      const { accessToken } = await tokens.accessToken(shop);
      await tokens.refreshRejected(shop, sha256(accessToken));
      return client.graphql(shop, query, variables);
    }
  };
}
