import { STORE_CONFIG_ID, type CacheOrigin } from '@shopwire/cache';
import type { SyncAdminClient } from '../admin-api/sync-admin-client';

// Costs 2: the shop object and its plan; scalars are free.
const QUERY = /* GraphQL */ `
  query CatalogStoreConfig {
    shop {
      name
      myshopifyDomain
      currencyCode
      ianaTimezone
      weightUnit
      taxesIncluded
      plan {
        displayName
        shopifyPlus
      }
    }
  }
`;

interface ShopNode {
  name?: string | null;
  myshopifyDomain?: string | null;
  currencyCode?: string | null;
  ianaTimezone?: string | null;
  weightUnit?: string | null;
  taxesIncluded?: boolean | null;
  plan?: { displayName?: string | null; shopifyPlus?: boolean | null } | null;
}

/** The store config document: the settings a storefront or integration formats prices and weights by. */
export function storeConfigDocument(shop: ShopNode): string {
  return JSON.stringify({
    shop: shop.myshopifyDomain ?? null,
    name: shop.name ?? null,
    currency_code: shop.currencyCode ?? null,
    iana_timezone: shop.ianaTimezone ?? null,
    weight_unit: shop.weightUnit ?? null,
    taxes_included: shop.taxesIncluded ?? null,
    plan: {
      display_name: shop.plan?.displayName ?? null,
      shopify_plus: shop.plan?.shopifyPlus ?? null,
    },
  });
}

/** The shop's settings from the Admin API (one entry per shop, id `STORE_CONFIG_ID`). */
export class StoreConfigOrigin implements CacheOrigin {
  constructor(private readonly admin: SyncAdminClient) {}

  async load(shop: string, ids: string[]): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    if (!ids.includes(STORE_CONFIG_ID)) return found;
    await this.admin.assertAccess(shop);
    const data = await this.admin.client.graphql<{ shop: ShopNode }>(shop, QUERY, undefined, {
      priority: 'default',
      expectedCost: 2,
    });
    found.set(STORE_CONFIG_ID, storeConfigDocument(data.shop));
    return found;
  }
}
