/**
 * Kafka topics that carry raw Shopify webhooks, one per resource family. All webhook topics of
 * one family (orders/create, orders/updated, orders/cancelled, …) share a Kafka topic so that one
 * resource's events, keyed `<shop>/<resource id>`, land in one partition and stay in order.
 * A breaking change to a topic's contract is a new topic (`.v2`), never an edit of this one.
 */
export const ShopifyKafkaTopic = {
  Orders: 'shopify.orders.v1',
  Products: 'shopify.products.v1',
  Inventory: 'shopify.inventory.v1',
  Customers: 'shopify.customers.v1',
  Compliance: 'shopify.compliance.v1',
  BulkOperations: 'shopify.bulk-operations.v1',
  Other: 'shopify.other.v1',
} as const;

export type ShopifyKafkaTopic = (typeof ShopifyKafkaTopic)[keyof typeof ShopifyKafkaTopic];

export const ALL_SHOPIFY_KAFKA_TOPICS: readonly ShopifyKafkaTopic[] =
  Object.values(ShopifyKafkaTopic);

/**
 * Where a webhook goes and which payload field identifies the resource it is about.
 * `keyPath` is a dotted path into the payload; its value becomes the message key's resource part.
 */
export interface WebhookRoute {
  kafkaTopic: ShopifyKafkaTopic;
  keyPath: string | null;
}

// Exact Shopify topics whose resource id is not the payload's top-level `id`, or whose family is
// not their prefix (customers/redact is a compliance event, not a customer update).
const EXACT_ROUTES: Record<string, WebhookRoute> = {
  'customers/data_request': { kafkaTopic: ShopifyKafkaTopic.Compliance, keyPath: 'customer.id' },
  'customers/redact': { kafkaTopic: ShopifyKafkaTopic.Compliance, keyPath: 'customer.id' },
  'shop/redact': { kafkaTopic: ShopifyKafkaTopic.Compliance, keyPath: 'shop_id' },
  'bulk_operations/finish': {
    kafkaTopic: ShopifyKafkaTopic.BulkOperations,
    keyPath: 'admin_graphql_api_id',
  },
};

// By the part before the slash. Events about an order (refunds, transactions, fulfillments) are
// keyed by the order so they stay ordered with the order's own updates.
const PREFIX_ROUTES: Record<string, WebhookRoute> = {
  orders: { kafkaTopic: ShopifyKafkaTopic.Orders, keyPath: 'id' },
  order_transactions: { kafkaTopic: ShopifyKafkaTopic.Orders, keyPath: 'order_id' },
  refunds: { kafkaTopic: ShopifyKafkaTopic.Orders, keyPath: 'order_id' },
  fulfillments: { kafkaTopic: ShopifyKafkaTopic.Orders, keyPath: 'order_id' },
  products: { kafkaTopic: ShopifyKafkaTopic.Products, keyPath: 'id' },
  // "Catalog and pricing": a discount changes what a product sells for, and the catalog cache's
  // purge consumer already reads this topic. Discount payloads carry only the gid (no numeric id).
  discounts: { kafkaTopic: ShopifyKafkaTopic.Products, keyPath: 'admin_graphql_api_id' },
  inventory_levels: { kafkaTopic: ShopifyKafkaTopic.Inventory, keyPath: 'inventory_item_id' },
  inventory_items: { kafkaTopic: ShopifyKafkaTopic.Inventory, keyPath: 'id' },
  customers: { kafkaTopic: ShopifyKafkaTopic.Customers, keyPath: 'id' },
  app: { kafkaTopic: ShopifyKafkaTopic.Compliance, keyPath: null },
  shop: { kafkaTopic: ShopifyKafkaTopic.Compliance, keyPath: null },
};

const OTHER_ROUTE: WebhookRoute = { kafkaTopic: ShopifyKafkaTopic.Other, keyPath: 'id' };

/** Routes a Shopify webhook topic (e.g. `orders/updated`) to its Kafka topic and key field. */
export function routeWebhook(shopifyTopic: string): WebhookRoute {
  return EXACT_ROUTES[shopifyTopic] ?? PREFIX_ROUTES[familyOf(shopifyTopic)] ?? OTHER_ROUTE;
}

/**
 * A webhook topic's family, the part before the slash (`discounts` for `discounts/create`), cut
 * to 40 characters: what a consumer counts the webhooks it ignores by, a bounded metric label
 * (`shopwire_consumer_messages_ignored_total{reason}`).
 */
export function webhookFamily(shopifyTopic: string): string {
  return familyOf(shopifyTopic).slice(0, 40);
}

function familyOf(shopifyTopic: string): string {
  const slash = shopifyTopic.indexOf('/');
  return slash === -1 ? shopifyTopic : shopifyTopic.slice(0, slash);
}

/**
 * The message key: `<shop domain>/<resource id>`, or just the shop when the event is about the
 * shop itself or has no resource id (then all such events of a shop stay in order together).
 */
export function messageKey(shopDomain: string, resourceId: string | null): string {
  return resourceId === null || resourceId === '' ? shopDomain : `${shopDomain}/${resourceId}`;
}
