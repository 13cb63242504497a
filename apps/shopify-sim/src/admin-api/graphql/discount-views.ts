import { gid, money } from '../../webhooks/payloads/payload-format';
import { discountStatus } from '../store/discount-store';
import type { DiscountRecord } from '../store/store-records';
import type { AdminContext } from './admin-context';
import { isoTime } from './admin-views';
import { paginate, rangeList, type ConnectionArgs } from './connection';

/** Shopify names a discount's node by how it applies: automatic or by code. */
export const discountNodeType = (record: DiscountRecord) =>
  record.method === 'automatic' ? 'DiscountAutomaticNode' : 'DiscountCodeNode';

function summary(context: AdminContext, record: DiscountRecord): string {
  const off =
    record.value.kind === 'percentage'
      ? `${Math.round(record.value.percentage * 100)}% off`
      : `${money(record.value.cents)} ${context.store.profile.currency} off`;
  return `${off} each eligible item`;
}

/** The `discount` of a DiscountNode: DiscountAutomaticBasic or DiscountCodeBasic. */
export function discountView(context: AdminContext, record: DiscountRecord) {
  const { currency } = context.store.profile;
  const common = {
    title: record.title,
    status: discountStatus(record, context.now()),
    summary: summary(context, record),
    startsAt: isoTime(record.startsAt),
    endsAt: record.endsAt ? isoTime(record.endsAt) : null,
    createdAt: isoTime(record.createdAt),
    updatedAt: isoTime(record.updatedAt),
    customerGets: {
      value:
        record.value.kind === 'percentage'
          ? { __typename: 'DiscountPercentage', percentage: record.value.percentage }
          : {
              __typename: 'DiscountAmount',
              amount: { amount: money(record.value.cents), currencyCode: currency },
              appliesOnEachItem: true,
            },
    },
  };
  if (record.method === 'automatic') return { __typename: 'DiscountAutomaticBasic', ...common };
  const code = record.code ?? '';
  return {
    __typename: 'DiscountCodeBasic',
    ...common,
    appliesOncePerCustomer: true,
    usageLimit: null,
    codes: (args: ConnectionArgs) =>
      paginate(rangeList(1), args, () => ({
        id: gid('DiscountRedeemCode', record.id),
        code,
        asyncUsageCount: 0,
      })),
  };
}

export function discountNodeView(context: AdminContext, record: DiscountRecord) {
  return {
    __typename: 'DiscountNode',
    id: gid(discountNodeType(record), record.id),
    discount: () => discountView(context, record),
  };
}

export function discountAutomaticNodeView(context: AdminContext, record: DiscountRecord) {
  return {
    __typename: 'DiscountAutomaticNode',
    id: gid('DiscountAutomaticNode', record.id),
    automaticDiscount: () => discountView(context, record),
  };
}
