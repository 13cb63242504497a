import type { SeededRandom } from '../../random/seeded-random';
import type { ProductRecord } from './catalog-payload.factory';
import {
  renderCustomer,
  renderOrderAddress,
  type AddressRecord,
  type CustomerRecord,
} from './customer-payload.factory';
import { CANCEL_REASONS, ORDER_TAGS } from './fake-identity.data';
import { gid, laterThan, money, moneySet, shopifyTime } from './payload-format';
import { shopifyBigId, type ShopProfile } from './shop-profile';
import type { JsonObject } from './shopify-json.writer';

export interface LineItemRecord {
  id: bigint;
  productId: bigint;
  variantId: bigint;
  title: string;
  variantTitle: string;
  sku: string;
  vendor: string;
  quantity: number;
  priceCents: number;
  grams: number;
}

export type FinancialStatus = 'pending' | 'authorized' | 'paid' | 'refunded' | 'voided';

/** The state of one order across its lifecycle; each webhook renders a snapshot of it. */
export interface OrderRecord {
  id: bigint;
  number: number;
  token: string;
  checkoutId: bigint;
  confirmationNumber: string;
  createdAt: Date;
  updatedAt: Date;
  presentmentCurrency: string;
  presentmentRate: number;
  financialStatus: FinancialStatus;
  fulfillmentStatus: null | 'fulfilled';
  customer: CustomerRecord;
  shippingAddress: AddressRecord;
  lineItems: LineItemRecord[];
  shipping: { id: bigint; title: string; code: string; priceCents: number };
  discount: { code: string; percent: number } | null;
  taxRate: number;
  tags: string[];
  note: string | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  browserIp: string;
}

export interface NewOrderInput {
  shop: ShopProfile;
  catalog: readonly ProductRecord[];
  customer: CustomerRecord;
  number: number;
  at: Date;
  /** Forces the number of line items (the benchmark sample wants a predictable size). */
  lineItemCount?: number;
}

export function createOrderRecord(rng: SeededRandom, input: NewOrderInput): OrderRecord {
  const { shop, catalog, customer, at } = input;
  const count =
    input.lineItemCount ??
    rng.weighted([
      [1, 45],
      [2, 30],
      [3, 15],
      [4, 10],
    ] as const);
  const lineItems: LineItemRecord[] = Array.from({ length: count }, () => {
    const product = rng.pick(catalog);
    const variant = rng.pick(product.variants);
    return {
      id: shopifyBigId(rng),
      productId: product.id,
      variantId: variant.id,
      title: product.title,
      variantTitle: variant.title,
      sku: variant.sku,
      vendor: product.vendor,
      quantity: rng.weighted([
        [1, 70],
        [2, 20],
        [3, 7],
        [5, 3],
      ] as const),
      priceCents: variant.priceCents,
      grams: variant.grams,
    };
  });
  const foreign = rng.chance(0.25);
  return {
    id: shopifyBigId(rng),
    number: input.number,
    token: rng.hex(32),
    checkoutId: shopifyBigId(rng),
    confirmationNumber: rng.hex(9).toUpperCase(),
    createdAt: at,
    updatedAt: at,
    presentmentCurrency: foreign ? shop.presentment.currency : shop.currency,
    presentmentRate: foreign ? shop.presentment.rate : 1,
    financialStatus: rng.chance(0.8) ? 'paid' : rng.pick(['pending', 'authorized'] as const),
    fulfillmentStatus: null,
    customer,
    shippingAddress: customer.address,
    lineItems,
    shipping: rng.chance(0.3)
      ? { id: shopifyBigId(rng), title: 'Express', code: 'EXPRESS', priceCents: 1900 }
      : {
          id: shopifyBigId(rng),
          title: 'Standard',
          code: 'STANDARD',
          priceCents: rng.pick([0, 599, 899]),
        },
    discount: rng.chance(0.2)
      ? { code: rng.pick(['WELCOME10', 'BFCM20', 'VIP15']), percent: rng.pick([10, 15, 20]) }
      : null,
    taxRate: rng.pick([0.05, 0.08, 0.13, 0.2]),
    tags: rng.chance(0.3) ? [rng.pick(ORDER_TAGS)] : [],
    note: null,
    cancelledAt: null,
    cancelReason: null,
    browserIp: `203.0.113.${rng.int(1, 254)}`,
  };
}

/** A merchant or system edit after creation: payment captured, fulfilled, tagged or annotated. */
export function updateOrderRecord(rng: SeededRandom, order: OrderRecord, at: Date): OrderRecord {
  const updatedAt = laterThan(order.updatedAt, at);
  if (
    order.financialStatus !== 'paid' &&
    order.financialStatus !== 'refunded' &&
    order.financialStatus !== 'voided'
  ) {
    return { ...order, updatedAt, financialStatus: 'paid' };
  }
  if (order.fulfillmentStatus === null && rng.chance(0.6))
    return { ...order, updatedAt, fulfillmentStatus: 'fulfilled' };
  if (rng.chance(0.5))
    return { ...order, updatedAt, tags: [...new Set([...order.tags, rng.pick(ORDER_TAGS)])] };
  return {
    ...order,
    updatedAt,
    note: rng.pick(['Leave at the back door', 'Gift wrap please', 'Call on arrival']),
  };
}

export function cancelOrderRecord(rng: SeededRandom, order: OrderRecord, at: Date): OrderRecord {
  const cancelledAt = laterThan(order.updatedAt, at);
  return {
    ...order,
    updatedAt: cancelledAt,
    cancelledAt,
    cancelReason: rng.pick(CANCEL_REASONS),
    financialStatus: order.financialStatus === 'paid' ? 'refunded' : 'voided',
  };
}

interface OrderTotals {
  lineItemsCents: number;
  discountCents: number;
  subtotalCents: number;
  taxCents: number;
  shippingCents: number;
  totalCents: number;
}

function totals(order: OrderRecord): OrderTotals {
  const lineItemsCents = order.lineItems.reduce(
    (sum, item) => sum + item.priceCents * item.quantity,
    0,
  );
  const discountCents = order.discount
    ? Math.round((lineItemsCents * order.discount.percent) / 100)
    : 0;
  const subtotalCents = lineItemsCents - discountCents;
  const taxCents = Math.round(subtotalCents * order.taxRate);
  const shippingCents = order.shipping.priceCents;
  return {
    lineItemsCents,
    discountCents,
    subtotalCents,
    taxCents,
    shippingCents,
    totalCents: subtotalCents + taxCents + shippingCents,
  };
}

/** orders/create, orders/updated and orders/cancelled all carry the full order as it is now. */
export function renderOrder(order: OrderRecord, shop: ShopProfile): JsonObject {
  const t = totals(order);
  const set = (cents: number) =>
    moneySet(
      cents,
      shop.currency,
      Math.round(cents * order.presentmentRate),
      order.presentmentCurrency,
    );
  const time = (at: Date) => shopifyTime(at, shop.utcOffsetMinutes);
  return {
    id: order.id,
    admin_graphql_api_id: gid('Order', order.id),
    app_id: 580111,
    browser_ip: order.browserIp,
    buyer_accepts_marketing: false,
    cancel_reason: order.cancelReason,
    cancelled_at: order.cancelledAt ? time(order.cancelledAt) : null,
    checkout_id: order.checkoutId,
    closed_at: null,
    confirmation_number: order.confirmationNumber,
    confirmed: true,
    contact_email: order.customer.email,
    created_at: time(order.createdAt),
    currency: shop.currency,
    current_total_price: money(order.cancelledAt ? 0 : t.totalCents),
    customer_locale: 'en',
    discount_codes: order.discount
      ? [{ code: order.discount.code, amount: money(t.discountCents), type: 'percentage' }]
      : [],
    email: order.customer.email,
    financial_status: order.financialStatus,
    fulfillment_status: order.fulfillmentStatus,
    name: `#${order.number}`,
    note: order.note,
    number: order.number - 1000,
    order_number: order.number,
    phone: order.customer.phone,
    presentment_currency: order.presentmentCurrency,
    processed_at: time(order.createdAt),
    source_name: 'web',
    subtotal_price: money(t.subtotalCents),
    subtotal_price_set: set(t.subtotalCents),
    tags: order.tags.join(', '),
    tax_lines: [{ price: money(t.taxCents), rate: order.taxRate, title: 'Tax' }],
    taxes_included: false,
    test: false,
    token: order.token,
    total_discounts: money(t.discountCents),
    total_discounts_set: set(t.discountCents),
    total_line_items_price: money(t.lineItemsCents),
    total_price: money(t.totalCents),
    total_price_set: set(t.totalCents),
    total_shipping_price_set: set(t.shippingCents),
    total_tax: money(t.taxCents),
    total_tax_set: set(t.taxCents),
    total_weight: order.lineItems.reduce((sum, item) => sum + item.grams * item.quantity, 0),
    updated_at: time(order.updatedAt),
    billing_address: renderOrderAddress(order.customer.address),
    customer: renderOrderCustomer(order.customer, shop),
    fulfillments: [],
    line_items: order.lineItems.map((item) => ({
      id: item.id,
      fulfillable_quantity:
        order.fulfillmentStatus === 'fulfilled' || order.cancelledAt ? 0 : item.quantity,
      fulfillment_status: order.fulfillmentStatus,
      grams: item.grams,
      price: money(item.priceCents),
      price_set: set(item.priceCents),
      product_id: item.productId,
      quantity: item.quantity,
      requires_shipping: true,
      sku: item.sku,
      taxable: true,
      title: item.title,
      variant_id: item.variantId,
      variant_title: item.variantTitle,
      vendor: item.vendor,
    })),
    refunds: [],
    shipping_address: renderOrderAddress(order.shippingAddress),
    shipping_lines: [
      {
        id: order.shipping.id,
        code: order.shipping.code,
        price: money(order.shipping.priceCents),
        price_set: set(order.shipping.priceCents),
        source: 'shopify',
        title: order.shipping.title,
      },
    ],
  };
}

/** The order's `customer` is a trimmed customer object; its address is in billing/shipping_address. */
function renderOrderCustomer(customer: CustomerRecord, shop: ShopProfile): JsonObject {
  const full = renderCustomer(customer, shop);
  return {
    id: full.id,
    email: full.email,
    created_at: full.created_at,
    updated_at: full.updated_at,
    first_name: full.first_name,
    last_name: full.last_name,
    state: full.state,
    phone: full.phone,
    currency: full.currency,
    admin_graphql_api_id: full.admin_graphql_api_id,
  };
}
