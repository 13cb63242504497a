/**
 * Domain events: what Shopwire's services tell each other, published through each service's
 * transactional outbox. One topic per event type (`<owner>.<entity>.<event>.v<N>`), keyed
 * `<shop>/<aggregate id>`. Events of one aggregate can still be consumed out of order across
 * topics (and a redelivery can come late), so each carries `aggregateVersion`: a consumer keeps
 * the newest version it applied per aggregate and lets an older one lose, exactly as webhooks do.
 */
export const DomainTopic = {
  OrderAccepted: 'orders.order.accepted.v1',
  OrderUpdated: 'orders.order.updated.v1',
  OrderCancelled: 'orders.order.cancelled.v1',
  InventoryLevelLow: 'inventory.level.low.v1',
  /** The shops service: an installation's status, scopes or token changed (never the token). */
  ShopInstallationChanged: 'shops.installation.changed.v1',
} as const;

export type DomainTopic = (typeof DomainTopic)[keyof typeof DomainTopic];

export const ALL_DOMAIN_TOPICS: readonly DomainTopic[] = Object.values(DomainTopic);

/** The JSON value of every domain event message. IDs are strings (Shopify's exceed 2^53). */
export interface DomainEvent<TType extends string, TData> {
  /** Unique per event (uuid): consumers' inbox key. Redeliveries keep it. */
  eventId: string;
  type: TType;
  /** Schema version of `data` within this topic. */
  schemaVersion: 1;
  /** When the producing service committed the change (ISO 8601). */
  occurredAt: string;
  shopDomain: string;
  aggregateId: string;
  /**
   * Orders events: the order's Shopify `updated_at` (ISO 8601, comparable as text after
   * normalising to UTC `Z`). Larger wins.
   */
  aggregateVersion: string;
  /** The webhook (or event) that caused this one, for tracing a chain of effects. */
  causationId: string | null;
  data: TData;
}

export interface OrderLineItemData {
  id: string;
  productId: string | null;
  variantId: string | null;
  sku: string | null;
  title: string | null;
  quantity: number;
  /** Decimal string, e.g. "19.99". */
  price: string | null;
}

export interface OrderCustomerData {
  id: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
}

/** The order as the order service stored it. Money as decimal strings. */
export interface OrderData {
  id: string;
  name: string | null;
  orderNumber: string | null;
  /** Personal data: erased by customers/redact in every service that keeps it. */
  email: string | null;
  customer: OrderCustomerData | null;
  currency: string | null;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  totalPrice: string | null;
  subtotalPrice: string | null;
  totalTax: string | null;
  totalDiscounts: string | null;
  createdAt: string | null;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  test: boolean;
  lineItems: OrderLineItemData[];
}

export type OrderAcceptedEvent = DomainEvent<'orders.order.accepted', { order: OrderData }>;
export type OrderUpdatedEvent = DomainEvent<'orders.order.updated', { order: OrderData }>;
export type OrderCancelledEvent = DomainEvent<'orders.order.cancelled', { order: OrderData }>;

export interface InventoryLevelLowData {
  inventoryItemId: string;
  locationId: string;
  sku: string | null;
  available: number;
  committed: number;
  /** available − committed */
  sellable: number;
  threshold: number;
}

export type InventoryLevelLowEvent = DomainEvent<'inventory.level.low', InventoryLevelLowData>;
