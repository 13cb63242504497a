import {
  decodeFields,
  decodeJson,
  field,
  FieldError,
  rejected,
  type Decoded,
  type JsonObject,
} from './decoding';

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

// ---- decoders: the one reading of each domain event, for every consumer and test -----------

export const ORDER_EVENT_TOPICS = [
  DomainTopic.OrderAccepted,
  DomainTopic.OrderUpdated,
  DomainTopic.OrderCancelled,
] as const;

export type OrderEventTopic = (typeof ORDER_EVENT_TOPICS)[number];

export type OrderEvent = OrderAcceptedEvent | OrderUpdatedEvent | OrderCancelledEvent;

/** The `type` each order topic carries. */
export const ORDER_EVENT_TYPE: Record<OrderEventTopic, OrderEvent['type']> = {
  [DomainTopic.OrderAccepted]: 'orders.order.accepted',
  [DomainTopic.OrderUpdated]: 'orders.order.updated',
  [DomainTopic.OrderCancelled]: 'orders.order.cancelled',
};

export function isOrderEventTopic(topic: string): topic is OrderEventTopic {
  return topic in ORDER_EVENT_TYPE;
}

/**
 * The fields every domain event has. `version` checks `aggregateVersion`, whose form each topic
 * defines (a timestamp for orders, `generation:revision` for installations).
 */
export function readDomainEvent<TType extends string>(
  json: unknown,
  isType: (type: unknown) => type is TType,
  version: (value: unknown) => string,
): DomainEvent<TType, JsonObject> {
  const event = field.object(json, 'event');
  if (!isType(event.type)) throw new FieldError('type does not belong to this topic');
  if (event.schemaVersion !== 1) throw new FieldError('schemaVersion must be 1');
  return {
    eventId: field.text(event.eventId, 'eventId', 200),
    type: event.type,
    schemaVersion: 1,
    occurredAt: field.timestamp(event.occurredAt, 'occurredAt'),
    shopDomain: field.shopDomain(event.shopDomain, 'shopDomain'),
    aggregateId: field.text(event.aggregateId, 'aggregateId', 400),
    aggregateVersion: version(event.aggregateVersion),
    causationId: field.optionalText(event.causationId, 'causationId', 400),
    data: field.object(event.data, 'data'),
  };
}

function orderCustomer(value: unknown): OrderCustomerData | null {
  if (value === undefined || value === null) return null;
  const customer = field.object(value, 'data.order.customer');
  return {
    id: field.optionalStringId(customer.id, 'data.order.customer.id'),
    email: field.optionalText(customer.email, 'data.order.customer.email', 1000),
    firstName: field.optionalText(customer.firstName, 'data.order.customer.firstName', 1000),
    lastName: field.optionalText(customer.lastName, 'data.order.customer.lastName', 1000),
    phone: field.optionalText(customer.phone, 'data.order.customer.phone', 1000),
  };
}

function orderLine(value: unknown, index: number): OrderLineItemData {
  const name = `data.order.lineItems[${index}]`;
  const line = field.object(value, name);
  return {
    id: field.stringId(line.id, `${name}.id`),
    productId: field.optionalStringId(line.productId, `${name}.productId`),
    variantId: field.optionalStringId(line.variantId, `${name}.variantId`),
    sku: field.optionalText(line.sku, `${name}.sku`, 1000),
    title: field.optionalText(line.title, `${name}.title`),
    quantity: field.int(line.quantity, `${name}.quantity`, 0),
    price: field.optionalDecimal(line.price, `${name}.price`),
  };
}

function orderData(value: unknown): OrderData {
  const order = field.object(value, 'data.order');
  const at = (key: string) => `data.order.${key}`;
  return {
    id: field.stringId(order.id, at('id')),
    name: field.optionalText(order.name, at('name'), 1000),
    orderNumber: field.optionalText(order.orderNumber, at('orderNumber'), 100),
    email: field.optionalText(order.email, at('email'), 1000),
    customer: orderCustomer(order.customer),
    currency: field.optionalText(order.currency, at('currency'), 10),
    financialStatus: field.optionalText(order.financialStatus, at('financialStatus'), 100),
    fulfillmentStatus: field.optionalText(order.fulfillmentStatus, at('fulfillmentStatus'), 100),
    totalPrice: field.optionalDecimal(order.totalPrice, at('totalPrice')),
    subtotalPrice: field.optionalDecimal(order.subtotalPrice, at('subtotalPrice')),
    totalTax: field.optionalDecimal(order.totalTax, at('totalTax')),
    totalDiscounts: field.optionalDecimal(order.totalDiscounts, at('totalDiscounts')),
    createdAt: field.optionalTimestamp(order.createdAt, at('createdAt')),
    updatedAt: field.timestamp(order.updatedAt, at('updatedAt')),
    cancelledAt: field.optionalTimestamp(order.cancelledAt, at('cancelledAt')),
    cancelReason: field.optionalText(order.cancelReason, at('cancelReason'), 1000),
    test: field.optionalBoolean(order.test, at('test')),
    lineItems: field.array(order.lineItems, at('lineItems')).map(orderLine),
  };
}

/**
 * Reads an `orders.order.accepted|updated|cancelled.v1` value: the order exactly as the order
 * service announced it (absent optional fields read as null). Refused with 'event' when the
 * topic is not an order topic or the value does not fit; 'json' when it is not JSON.
 */
export function decodeOrderEvent(
  topic: string,
  value: Buffer | string | null | undefined,
): Decoded<OrderEvent> {
  if (!isOrderEventTopic(topic)) return rejected('event', 'not an order event topic');
  const json = decodeJson(value);
  if (!json.ok) return json;
  const type = ORDER_EVENT_TYPE[topic];
  return decodeFields('event', () => {
    const event = readDomainEvent(
      json.value,
      (t): t is OrderEvent['type'] => t === type,
      (v) => field.timestamp(v, 'aggregateVersion'),
    );
    const order = orderData(event.data.order);
    if (event.aggregateId !== order.id) throw new FieldError('aggregateId must be the order id');
    return { ...event, data: { order } } as OrderEvent;
  });
}

/** Reads an `inventory.level.low.v1` value. Refused with 'event' or 'json'. */
export function decodeInventoryLevelLow(
  value: Buffer | string | null | undefined,
): Decoded<InventoryLevelLowEvent> {
  const json = decodeJson(value);
  if (!json.ok) return json;
  return decodeFields('event', () => {
    const event = readDomainEvent(
      json.value,
      (t): t is 'inventory.level.low' => t === 'inventory.level.low',
      (v) => field.timestamp(v, 'aggregateVersion'),
    );
    const data = event.data;
    return {
      ...event,
      data: {
        inventoryItemId: field.stringId(data.inventoryItemId, 'data.inventoryItemId'),
        locationId: field.stringId(data.locationId, 'data.locationId'),
        sku: field.optionalText(data.sku, 'data.sku', 1000),
        available: field.int(data.available, 'data.available'),
        committed: field.int(data.committed, 'data.committed'),
        sellable: field.int(data.sellable, 'data.sellable'),
        threshold: field.int(data.threshold, 'data.threshold'),
      },
    };
  });
}
