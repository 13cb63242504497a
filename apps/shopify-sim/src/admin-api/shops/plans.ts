/**
 * Shopify's plans as far as rate limits go. GraphQL: a cost bucket 20× its restore rate.
 * REST (legacy): a 40-request bucket whatever the plan; only the leak rate grows.
 */
export const PLANS = {
  standard: { graphqlRestoreRate: 100, restLeakRate: 2 },
  advanced: { graphqlRestoreRate: 200, restLeakRate: 4 },
  plus: { graphqlRestoreRate: 1000, restLeakRate: 20 },
  enterprise: { graphqlRestoreRate: 2000, restLeakRate: 40 },
} as const;

export type PlanName = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as PlanName[];

export const GRAPHQL_BUCKET_FACTOR = 20;
export const REST_BUCKET_SIZE = 40;
/** Checked before execution: a single query may not request more than this. */
export const MAX_QUERY_COST = 1000;

export function graphqlBucketSize(plan: PlanName): number {
  return PLANS[plan].graphqlRestoreRate * GRAPHQL_BUCKET_FACTOR;
}
