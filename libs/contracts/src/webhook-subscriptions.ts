import { COMPLIANCE_WEBHOOK_TOPICS } from './compliance-webhooks';

/**
 * The one declaration of the webhooks Shopwire subscribes to. Two things are derived from it:
 * - per shop, the Admin API subscriptions the shops service keeps in place
 *   (`@shopwire/shopify-subscriptions`, entries `via: 'admin-api'`);
 * - the `[webhooks]` section of `shopify.app.toml` (`npm run ops -- webhooks-toml`), which is the
 *   only place the compliance topics can be set (entries `via: 'app-configuration'`).
 * A topic belongs here only if a service acts on it; each entry names who does.
 */

/** The webhook payload version; one for the app, the same the Admin API client defaults to. */
export const WEBHOOK_API_VERSION = '2026-01';

/** The only format the gateway accepts (it keeps the raw JSON bytes for the HMAC). */
export type WebhookFormat = 'JSON';

/** Where the endpoint comes from at run time: the gateway's public `…/webhooks/shopify`. */
export const WEBHOOK_ENDPOINT_ENV = 'SHOPIFY_WEBHOOK_URL';

export interface DeclaredWebhookTopic {
  /** Shopify's topic as it arrives in `X-Shopify-Topic`, e.g. `orders/create`. */
  topic: string;
  /**
   * `admin-api`: a per-shop subscription the reconciler creates and repairs.
   * `app-configuration`: Shopify accepts it only in the app's configuration (compliance topics).
   */
  via: 'admin-api' | 'app-configuration';
  /** Only these payload fields are sent (Shopify's `includeFields`); absent = the whole payload. */
  includeFields?: readonly string[];
  /** Shopify's search-syntax `filter`; absent = every event of the topic. */
  filter?: string;
  /** Which services act on it (why it is subscribed). */
  consumers: readonly string[];
}

export interface WebhookSubscriptionsDeclaration {
  apiVersion: string;
  format: WebhookFormat;
  endpointEnv: typeof WEBHOOK_ENDPOINT_ENV;
  topics: readonly DeclaredWebhookTopic[];
}

const ORDER_STORE = ['order'];
const CATALOG_CACHE = ['sync (catalog cache purge)'];
const EVERY_SERVICE = ['shops', 'order', 'inventory', 'notification', 'analytics', 'sync'];

const api = (
  topic: string,
  consumers: readonly string[],
  extra: Pick<DeclaredWebhookTopic, 'includeFields' | 'filter'> = {},
): DeclaredWebhookTopic => ({ topic, via: 'admin-api', consumers, ...extra });

// orders/edited and orders/delete are left out: the order service stores neither (an edit is
// followed by orders/updated). bulk_operations/finish is left out until a service wires a
// BulkCompletionHub (bulk exports poll meanwhile).
export const WEBHOOK_SUBSCRIPTIONS: WebhookSubscriptionsDeclaration = {
  apiVersion: WEBHOOK_API_VERSION,
  format: 'JSON',
  endpointEnv: WEBHOOK_ENDPOINT_ENV,
  topics: [
    api('orders/create', ORDER_STORE),
    api('orders/updated', ORDER_STORE),
    api('orders/cancelled', ORDER_STORE),
    api('orders/paid', ORDER_STORE),
    api('orders/fulfilled', ORDER_STORE),
    api('orders/partially_fulfilled', ORDER_STORE),
    api('products/create', ['sync', ...CATALOG_CACHE]),
    api('products/update', ['sync', ...CATALOG_CACHE]),
    api('products/delete', ['sync', ...CATALOG_CACHE]),
    api('inventory_levels/update', ['inventory']),
    api('inventory_levels/connect', ['inventory']),
    api('inventory_items/create', ['inventory']),
    api('inventory_items/update', ['inventory', ...CATALOG_CACHE]),
    api('inventory_items/delete', CATALOG_CACHE),
    api('discounts/create', CATALOG_CACHE),
    api('discounts/update', CATALOG_CACHE),
    api('discounts/delete', CATALOG_CACHE),
    api('shop/update', CATALOG_CACHE),
    api('app/uninstalled', EVERY_SERVICE),
    ...COMPLIANCE_WEBHOOK_TOPICS.map((topic): DeclaredWebhookTopic => ({
      topic,
      via: 'app-configuration',
      consumers: EVERY_SERVICE,
    })),
  ],
};

/** The entries kept per shop through the Admin API. */
export function adminApiWebhookTopics(
  declaration: WebhookSubscriptionsDeclaration = WEBHOOK_SUBSCRIPTIONS,
): DeclaredWebhookTopic[] {
  return declaration.topics.filter((t) => t.via === 'admin-api');
}

/** The entries only the app configuration can hold (compliance). */
export function appConfigurationWebhookTopics(
  declaration: WebhookSubscriptionsDeclaration = WEBHOOK_SUBSCRIPTIONS,
): DeclaredWebhookTopic[] {
  return declaration.topics.filter((t) => t.via === 'app-configuration');
}

/**
 * The gateway's endpoint from `SHOPIFY_WEBHOOK_URL`: an absolute http(s) URL, normalised (no
 * trailing slash, no fragment). Throws a message naming the variable, never echoing a value
 * that could hold credentials in its userinfo.
 */
export function resolveWebhookEndpoint(value: string | undefined): string {
  if (!value) throw new Error(`${WEBHOOK_ENDPOINT_ENV} is not set`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${WEBHOOK_ENDPOINT_ENV} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`${WEBHOOK_ENDPOINT_ENV} must be an http(s) URL`);
  if (url.username || url.password)
    throw new Error(`${WEBHOOK_ENDPOINT_ENV} must not carry credentials`);
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

// Topics Shopwire may meet in a shop's subscription list; the reverse mapping of an enum name is
// ambiguous in general (INVENTORY_LEVELS_UPDATE could split anywhere), so it is a lookup.
const KNOWN_WEBHOOK_TOPICS: readonly string[] = [
  ...WEBHOOK_SUBSCRIPTIONS.topics.map((t) => t.topic),
  'orders/edited',
  'orders/delete',
  'refunds/create',
  'fulfillments/create',
  'fulfillments/update',
  'customers/create',
  'customers/update',
  'customers/delete',
  'bulk_operations/finish',
  'app/scopes_update',
  'themes/publish',
];

/** `orders/create` → `ORDERS_CREATE`, the GraphQL `WebhookSubscriptionTopic` enum value. */
export function webhookTopicEnum(topic: string): string {
  return topic.replace(/\//g, '_').toUpperCase();
}

const TOPIC_BY_ENUM = new Map(KNOWN_WEBHOOK_TOPICS.map((t) => [webhookTopicEnum(t), t]));

/** `ORDERS_CREATE` → `orders/create`; null for an enum value not known here. */
export function webhookTopicFromEnum(enumValue: string): string | null {
  return TOPIC_BY_ENUM.get(enumValue) ?? null;
}
