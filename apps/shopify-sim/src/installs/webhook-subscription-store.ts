/**
 * Per-shop webhook subscriptions made through the Admin API (`webhookSubscriptionCreate` & co.),
 * with Shopify's validation answers. Compliance topics are not here: Shopify only takes them in
 * the app configuration, and so does the simulator (they are not in the topic enum).
 */

/** `WebhookSubscriptionTopic` values the simulator knows, with their REST/header names. */
export const SUBSCRIPTION_TOPICS: Readonly<Record<string, string>> = {
  APP_UNINSTALLED: 'app/uninstalled',
  APP_SCOPES_UPDATE: 'app/scopes_update',
  BULK_OPERATIONS_FINISH: 'bulk_operations/finish',
  CUSTOMERS_CREATE: 'customers/create',
  CUSTOMERS_UPDATE: 'customers/update',
  CUSTOMERS_DELETE: 'customers/delete',
  DISCOUNTS_CREATE: 'discounts/create',
  DISCOUNTS_UPDATE: 'discounts/update',
  DISCOUNTS_DELETE: 'discounts/delete',
  INVENTORY_ITEMS_CREATE: 'inventory_items/create',
  INVENTORY_ITEMS_UPDATE: 'inventory_items/update',
  INVENTORY_ITEMS_DELETE: 'inventory_items/delete',
  INVENTORY_LEVELS_CONNECT: 'inventory_levels/connect',
  INVENTORY_LEVELS_UPDATE: 'inventory_levels/update',
  LOCATIONS_UPDATE: 'locations/update',
  ORDERS_CANCELLED: 'orders/cancelled',
  ORDERS_CREATE: 'orders/create',
  ORDERS_DELETE: 'orders/delete',
  ORDERS_FULFILLED: 'orders/fulfilled',
  ORDERS_PAID: 'orders/paid',
  ORDERS_PARTIALLY_FULFILLED: 'orders/partially_fulfilled',
  ORDERS_UPDATED: 'orders/updated',
  PRODUCTS_CREATE: 'products/create',
  PRODUCTS_DELETE: 'products/delete',
  PRODUCTS_UPDATE: 'products/update',
  REFUNDS_CREATE: 'refunds/create',
  SHOP_UPDATE: 'shop/update',
};

const TOPIC_ENUM_BY_NAME = new Map(
  Object.entries(SUBSCRIPTION_TOPICS).map(([value, name]) => [name, value]),
);

export function topicEnumOf(topic: string): string | undefined {
  return TOPIC_ENUM_BY_NAME.get(topic);
}

export type SubscriptionFormat = 'JSON' | 'XML';

export interface WebhookSubscriptionRecord {
  /** Numeric part of `gid://shopify/WebhookSubscription/<id>`. */
  id: number;
  shop: string;
  /** REST form, e.g. `orders/create`. */
  topic: string;
  uri: string;
  /** The API version of the request that created or last updated it. */
  apiVersion: string;
  format: SubscriptionFormat;
  includeFields: string[];
  metafieldNamespaces: string[];
  filter: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** `WebhookSubscriptionInput`: `uri` (2025-04+) or the older `callbackUrl`. */
export interface WebhookSubscriptionInput {
  uri?: string | null;
  callbackUrl?: string | null;
  format?: SubscriptionFormat | null;
  includeFields?: string[] | null;
  metafieldNamespaces?: string[] | null;
  filter?: string | null;
}

export interface SubscriptionUserError {
  field: string[] | null;
  message: string;
}

export type SubscriptionResult =
  | { subscription: WebhookSubscriptionRecord; userErrors: [] }
  | { subscription: null; userErrors: SubscriptionUserError[] };

export const SUBSCRIPTION_GID_PREFIX = 'gid://shopify/WebhookSubscription/';

export function subscriptionGid(id: number): string {
  return `${SUBSCRIPTION_GID_PREFIX}${id}`;
}

export function parseSubscriptionGid(gid: string): number | null {
  if (!gid.startsWith(SUBSCRIPTION_GID_PREFIX)) return null;
  const id = Number(gid.slice(SUBSCRIPTION_GID_PREFIX.length));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * What Shopify takes as an endpoint: an https URL, a Pub/Sub (`pubsub://project:topic`) or
 * EventBridge (`arn:aws:events:…`) address. The simulator also takes http (its receivers are
 * local test servers) and delivers only to http(s).
 */
export function isValidEndpoint(uri: string): boolean {
  if (/^pubsub:\/\/[a-z][a-z0-9-]{4,28}[a-z0-9]:[A-Za-z][\w.~+%-]{2,254}$/.test(uri)) return true;
  if (/^arn:aws:events:[a-z0-9-]+::event-source\/aws\.partner\/shopify\.com/.test(uri)) return true;
  try {
    const url = new URL(uri);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const isHttpEndpoint = (uri: string) => /^https?:\/\//.test(uri);

export interface SubscriptionStats {
  created: number;
  updated: number;
  deleted: number;
  /** Removed by the simulator after their deliveries kept failing. */
  removedAfterFailures: number;
  /** Removed with the app on uninstall. */
  removedOnUninstall: number;
}

const FIRST_ID = 1_380_000_000_001;

export class WebhookSubscriptionStore {
  private readonly byShop = new Map<string, Map<number, WebhookSubscriptionRecord>>();
  /** Shops that ever had an API subscription: their deliveries follow subscriptions only. */
  private readonly subscribedShops = new Set<string>();
  private nextId = FIRST_ID;
  private readonly counters: SubscriptionStats = {
    created: 0,
    updated: 0,
    deleted: 0,
    removedAfterFailures: 0,
    removedOnUninstall: 0,
  };

  list(shop: string): WebhookSubscriptionRecord[] {
    return [...(this.byShop.get(shop)?.values() ?? [])].sort((a, b) => a.id - b.id);
  }

  get(shop: string, id: number): WebhookSubscriptionRecord | undefined {
    return this.byShop.get(shop)?.get(id);
  }

  forTopic(shop: string, topic: string): WebhookSubscriptionRecord[] {
    return this.list(shop).filter((subscription) => subscription.topic === topic);
  }

  hasEverSubscribed(shop: string): boolean {
    return this.subscribedShops.has(shop);
  }

  create(
    shop: string,
    topicEnum: string,
    input: WebhookSubscriptionInput,
    apiVersion: string,
    now: Date,
  ): SubscriptionResult {
    const topic = SUBSCRIPTION_TOPICS[topicEnum];
    if (!topic) return failure(['topic'], 'Topic is not supported');
    const uri = endpointOf(input);
    const invalid = checkEndpoint(uri);
    if (invalid) return invalid;
    if (this.forTopic(shop, topic).some((existing) => existing.uri === uri))
      return failure(
        ['webhookSubscription', 'callbackUrl'],
        'Address for this topic has already been taken',
      );
    const record: WebhookSubscriptionRecord = {
      id: this.nextId++,
      shop,
      topic,
      uri: uri!,
      apiVersion,
      format: input.format ?? 'JSON',
      includeFields: input.includeFields ?? [],
      metafieldNamespaces: input.metafieldNamespaces ?? [],
      filter: input.filter ?? null,
      createdAt: now,
      updatedAt: now,
    };
    let shopSubscriptions = this.byShop.get(shop);
    if (!shopSubscriptions) this.byShop.set(shop, (shopSubscriptions = new Map()));
    shopSubscriptions.set(record.id, record);
    this.subscribedShops.add(shop);
    this.counters.created += 1;
    return { subscription: record, userErrors: [] };
  }

  update(
    shop: string,
    id: number | null,
    input: WebhookSubscriptionInput,
    apiVersion: string,
    now: Date,
  ): SubscriptionResult {
    const record = id === null ? undefined : this.get(shop, id);
    if (!record) return failure(['id'], 'Webhook subscription does not exist');
    const uri = input.uri ?? input.callbackUrl ?? record.uri;
    const invalid = checkEndpoint(uri);
    if (invalid) return invalid;
    if (
      this.forTopic(shop, record.topic).some((other) => other.id !== record.id && other.uri === uri)
    )
      return failure(
        ['webhookSubscription', 'callbackUrl'],
        'Address for this topic has already been taken',
      );
    record.uri = uri;
    record.apiVersion = apiVersion;
    if (input.format != null) record.format = input.format;
    if (input.includeFields != null) record.includeFields = input.includeFields;
    if (input.metafieldNamespaces != null) record.metafieldNamespaces = input.metafieldNamespaces;
    if (input.filter !== undefined) record.filter = input.filter;
    record.updatedAt = now;
    this.counters.updated += 1;
    return { subscription: record, userErrors: [] };
  }

  delete(
    shop: string,
    id: number | null,
  ): { deleted: boolean; userErrors: SubscriptionUserError[] } {
    if (id === null || !this.byShop.get(shop)?.delete(id))
      return {
        deleted: false,
        userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
      };
    this.counters.deleted += 1;
    return { deleted: true, userErrors: [] };
  }

  /** Shopify's removal of a subscription whose deliveries kept failing. */
  removeAfterFailures(shop: string, id: number): boolean {
    const removed = this.byShop.get(shop)?.delete(id) ?? false;
    if (removed) this.counters.removedAfterFailures += 1;
    return removed;
  }

  /** Uninstall: the app's subscriptions go with it. */
  removeShop(shop: string): number {
    const removed = this.byShop.get(shop)?.size ?? 0;
    this.byShop.delete(shop);
    this.counters.removedOnUninstall += removed;
    return removed;
  }

  stats(): SubscriptionStats {
    return { ...this.counters };
  }
}

function endpointOf(input: WebhookSubscriptionInput): string | undefined {
  return input.uri ?? input.callbackUrl ?? undefined;
}

function checkEndpoint(uri: string | undefined): SubscriptionResult | null {
  if (!uri) return failure(['webhookSubscription', 'callbackUrl'], "Address can't be blank");
  if (!isValidEndpoint(uri))
    return failure(['webhookSubscription', 'callbackUrl'], 'Address is invalid');
  return null;
}

function failure(field: string[], message: string): SubscriptionResult {
  return { subscription: null, userErrors: [{ field, message }] };
}
