/** What the simulated Admin API serves, as plain records; ids are bigint, money integer cents. */
export type ProductStatus = 'ACTIVE' | 'DRAFT' | 'ARCHIVED';

export interface ProductRecord {
  index: number;
  id: bigint;
  title: string;
  handle: string;
  status: ProductStatus;
  vendor: string;
  productType: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface VariantRecord {
  /** Index among all variants of the shop: productIndex × VARIANTS_PER_PRODUCT + position − 1. */
  index: number;
  productIndex: number;
  id: bigint;
  inventoryItemId: bigint;
  title: string;
  sku: string;
  priceCents: number;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface LocationRecord {
  index: number;
  id: bigint;
  name: string;
}

export interface InventoryLevelRecord {
  variantIndex: number;
  locationIndex: number;
  available: number;
  committed: number;
  updatedAt: Date;
}

export interface CustomerRecord {
  index: number;
  id: bigint;
  firstName: string;
  lastName: string;
  email: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface LineItemRecord {
  id: bigint;
  variantIndex: number;
  productIndex: number;
  title: string;
  variantTitle: string;
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export type FinancialStatus = 'AUTHORIZED' | 'PAID' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED';
export type FulfillmentStatus = 'FULFILLED' | 'PARTIALLY_FULFILLED' | 'UNFULFILLED';

export interface OrderRecord {
  index: number;
  id: bigint;
  name: string;
  orderNumber: number;
  email: string;
  customerIndex: number;
  note: string | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
  financialStatus: FinancialStatus;
  fulfillmentStatus: FulfillmentStatus;
  lineItems: LineItemRecord[];
  subtotalCents: number;
  totalCents: number;
}

export interface MetafieldRecord {
  id: bigint;
  productIndex: number;
  namespace: string;
  key: string;
  /** Shopify's metafield type name, e.g. `single_line_text_field`, `rating`. */
  type: string;
  /** Always a string, as Shopify stores it (JSON types hold their JSON text). */
  value: string;
  createdAt: Date;
  updatedAt: Date;
}

export type DiscountStatus = 'ACTIVE' | 'EXPIRED' | 'SCHEDULED';

export interface DiscountRecord {
  index: number;
  id: bigint;
  /** Automatic discounts apply by themselves; code discounts need their code at checkout. */
  method: 'automatic' | 'code';
  title: string;
  code: string | null;
  /** What the customer gets off each eligible line: a fraction (0.1) or an amount in cents. */
  value: { kind: 'percentage'; percentage: number } | { kind: 'amount'; cents: number };
  startsAt: Date;
  endsAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
