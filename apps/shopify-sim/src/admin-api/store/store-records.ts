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
