import { PRICING_RULES_ID, type CacheOrigin } from '@shopwire/cache';
import type { SyncAdminClient } from '../admin-api/sync-admin-client';

/** Discounts read per state; a document says `truncated: true` when a state has more. */
export const DISCOUNTS_PER_STATE = 50;

const DISCOUNT_FIELDS = /* GraphQL */ `
  nodes {
    id
    discount {
      __typename
      ... on DiscountAutomaticBasic {
        title
        status
        summary
        startsAt
        endsAt
        customerGets {
          value {
            ...DiscountValue
          }
        }
      }
      ... on DiscountCodeBasic {
        title
        status
        summary
        startsAt
        endsAt
        customerGets {
          value {
            ...DiscountValue
          }
        }
        codes(first: 1) {
          nodes {
            code
          }
        }
      }
    }
  }
  pageInfo {
    hasNextPage
  }
`;

/**
 * Active and scheduled discounts, two lists of 50: 2 × (2 + 50 × 8) = 804 points, under the
 * 1,000-point limit. Scheduled ones are included because one becomes active at its `startsAt`
 * without any webhook: a client applies `starts_at`/`ends_at` itself, so the cached document
 * stays right while it lives.
 */
const QUERY = /* GraphQL */ `
  query CatalogPricingRules {
    active: discountNodes(first: ${DISCOUNTS_PER_STATE}, query: "status:active") {
      ${DISCOUNT_FIELDS}
    }
    scheduled: discountNodes(first: ${DISCOUNTS_PER_STATE}, query: "status:scheduled") {
      ${DISCOUNT_FIELDS}
    }
  }
  fragment DiscountValue on DiscountCustomerGetsValue {
    __typename
    ... on DiscountPercentage {
      percentage
    }
    ... on DiscountAmount {
      amount {
        amount
        currencyCode
      }
      appliesOnEachItem
    }
  }
`;
const EXPECTED_COST = 2 * (2 + DISCOUNTS_PER_STATE * 8);

interface DiscountValue {
  __typename?: string;
  percentage?: number | string | null;
  amount?: { amount?: string | null; currencyCode?: string | null } | null;
  appliesOnEachItem?: boolean | null;
}

interface DiscountNode {
  id?: string | null;
  discount?: {
    __typename?: string;
    title?: string | null;
    status?: string | null;
    summary?: string | null;
    startsAt?: string | null;
    endsAt?: string | null;
    customerGets?: { value?: DiscountValue | null } | null;
    codes?: { nodes: { code?: string | null }[] } | null;
  } | null;
}

interface DiscountList {
  nodes: (DiscountNode | null)[];
  pageInfo?: { hasNextPage?: boolean };
}

const METHODS: Record<string, 'automatic' | 'code'> = {
  DiscountAutomaticBasic: 'automatic',
  DiscountCodeBasic: 'code',
};

function valueOf(value: DiscountValue | null | undefined) {
  if (value?.__typename === 'DiscountPercentage')
    return { type: 'percentage', percentage: String(value.percentage ?? '') };
  if (value?.__typename === 'DiscountAmount')
    return {
      type: 'fixed_amount',
      amount: value.amount?.amount ?? null,
      currency_code: value.amount?.currencyCode ?? null,
      applies_on_each_item: value.appliesOnEachItem ?? null,
    };
  return null;
}

/**
 * `{discounts: [{id, admin_graphql_api_id, method, title, status, summary, starts_at, ends_at,
 * value, code}], truncated}`; ids are the gid's digits as a string. The percentage is a decimal
 * string (Shopify's Float, e.g. "0.1"), like every money amount. Kinds the query does not
 * select (Bxgy, free shipping, app discounts) are left out.
 */
export function pricingRulesDocument(lists: DiscountList[]): string {
  const discounts = lists.flatMap((list) =>
    list.nodes.flatMap((node) => {
      const discount = node?.discount;
      const method = discount?.__typename ? METHODS[discount.__typename] : undefined;
      if (!node?.id || !discount || !method) return [];
      return [
        {
          id: /\/(\d+)$/.exec(node.id)?.[1] ?? null,
          admin_graphql_api_id: node.id,
          method,
          title: discount.title ?? null,
          status: discount.status?.toLowerCase() ?? null,
          summary: discount.summary ?? null,
          starts_at: discount.startsAt ?? null,
          ends_at: discount.endsAt ?? null,
          value: valueOf(discount.customerGets?.value),
          code: discount.codes?.nodes[0]?.code ?? null,
        },
      ];
    }),
  );
  return JSON.stringify({
    discounts,
    truncated: lists.some((list) => list.pageInfo?.hasNextPage === true),
  });
}

/** The shop's active and scheduled discounts from the Admin API (one entry per shop). */
export class PricingRulesOrigin implements CacheOrigin {
  constructor(private readonly admin: SyncAdminClient) {}

  async load(shop: string, ids: string[]): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    if (!ids.includes(PRICING_RULES_ID)) return found;
    await this.admin.assertAccess(shop);
    const data = await this.admin.client.graphql<{ active: DiscountList; scheduled: DiscountList }>(
      shop,
      QUERY,
      undefined,
      { priority: 'default', expectedCost: EXPECTED_COST },
    );
    found.set(PRICING_RULES_ID, pricingRulesDocument([data.active, data.scheduled]));
    return found;
  }
}
