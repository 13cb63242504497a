import {
  decodeJson,
  field,
  FieldError,
  rejected,
  accepted,
  type Decoded,
  type JsonObject,
} from './decoding';
import type { WebhookEnvelope } from './webhook-envelope';

/**
 * The webhooks that erase, export or end a shop's data — and the check that they are about the
 * shop they claim. Shopify signs the body, not the headers: without comparing the payload's shop
 * with `X-Shopify-Shop-Domain`, a captured signed `shop/redact` of one shop could be re-sent with
 * another shop's header and be acted on for that one.
 *
 * Decoders take JSON parsed without losing IDs above 2^53 (the gateway and consumers use
 * `parseShopifyJson` of `@shopwire/shopify`): an ID is a string of digits or a safe integer, and
 * a larger number — one `JSON.parse` would already have rounded — is refused, never guessed at.
 * Error messages name fields only, never their values (these payloads hold personal data).
 */

/** The privacy topics Shopify makes mandatory for public apps; a wrong HMAC on them must get 401. */
export const COMPLIANCE_WEBHOOK_TOPICS = [
  'customers/data_request',
  'customers/redact',
  'shop/redact',
] as const;
export type ComplianceWebhookTopic = (typeof COMPLIANCE_WEBHOOK_TOPICS)[number];

/**
 * What services act on from `shopify.compliance.v1`: the compliance topics and `app/uninstalled`
 * (stop using the shop, drop its tokens). Other topics there (`shop/update`, …) are skipped.
 */
export const PRIVACY_WEBHOOK_TOPICS = [...COMPLIANCE_WEBHOOK_TOPICS, 'app/uninstalled'] as const;
export type PrivacyWebhookTopic = (typeof PRIVACY_WEBHOOK_TOPICS)[number];

const COMPLIANCE = new Set<string>(COMPLIANCE_WEBHOOK_TOPICS);
const PRIVACY = new Set<string>(PRIVACY_WEBHOOK_TOPICS);

export function isComplianceWebhookTopic(topic: string): topic is ComplianceWebhookTopic {
  return COMPLIANCE.has(topic);
}

export function isPrivacyWebhookTopic(topic: string): topic is PrivacyWebhookTopic {
  return PRIVACY.has(topic);
}

/** The families whose payload is checked against the header before anything is written. */
const CROSS_CHECKED_FAMILIES = ['shop/', 'customers/', 'app/'];

export function isCrossCheckedWebhookTopic(topic: string): boolean {
  return CROSS_CHECKED_FAMILIES.some((family) => topic.startsWith(family));
}

/** Who a customers/* compliance request is about. Shopify sends id, email and phone; a guest has no id. */
export interface ComplianceCustomer {
  id: string | null;
  email: string | null;
  phone: string | null;
}

export type PrivacyWebhook =
  | {
      topic: 'customers/redact';
      shopId: string;
      shopDomain: string;
      customer: ComplianceCustomer;
      ordersToRedact: string[];
    }
  | {
      topic: 'customers/data_request';
      shopId: string;
      shopDomain: string;
      customer: ComplianceCustomer;
      ordersRequested: string[];
      dataRequestId: string;
    }
  | { topic: 'shop/redact'; shopId: string; shopDomain: string }
  /** The shop resource; `shopDomain` is its `myshopify_domain` (`domain` may be a custom one). */
  | { topic: 'app/uninstalled'; shopId: string; shopDomain: string };

/**
 * `shape`: the payload does not fit its topic. `shop_mismatch`: it names another shop than the
 * header (or the envelope) does.
 */
export type WebhookPayloadProblem = 'shape' | 'shop_mismatch';

export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';

  constructor(
    readonly problem: WebhookPayloadProblem,
    message: string,
  ) {
    super(message);
  }
}

const shape = (message: string) => new WebhookPayloadError('shape', message);

/** The shared field readers, refusing with a 'shape' `WebhookPayloadError`. */
function shaped<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof FieldError) throw shape(error.message);
    throw error;
  }
}

const id = (value: unknown, name: string) => shaped(() => field.id(value, name));
const optionalId = (value: unknown, name: string) => shaped(() => field.optionalId(value, name));
const optionalText = (value: unknown, name: string) =>
  shaped(() => field.optionalText(value, name, 1000));
const object = (value: unknown, name: string) => shaped(() => field.object(value, name));

function ids(value: unknown, name: string): string[] {
  if (!Array.isArray(value)) throw shape(`${name} must be an array of ids`);
  return value.map((item, index) => id(item, `${name}[${index}]`));
}

function shopDomainField(payload: JsonObject, name: string): string {
  return shaped(() => field.shopDomain(payload[name], name));
}

/**
 * Fields that belong to another privacy topic's shape. Shopify signs the body but not the topic
 * header, so a captured customers/redact re-sent as `shop/redact` would otherwise pass as one
 * (its shop_id and shop_domain are all a shop/redact has); fields Shopify may add later that no
 * other shape uses still pass.
 */
const FOREIGN_FIELDS: Record<PrivacyWebhookTopic, readonly string[]> = {
  'customers/redact': ['orders_requested', 'data_request', 'myshopify_domain'],
  'customers/data_request': ['orders_to_redact', 'myshopify_domain'],
  'shop/redact': [
    'customer',
    'orders_to_redact',
    'orders_requested',
    'data_request',
    'myshopify_domain',
  ],
  'app/uninstalled': ['shop_id', 'shop_domain', 'customer', 'orders_to_redact', 'orders_requested'],
};

function refuseForeignFields(topic: PrivacyWebhookTopic, body: JsonObject): void {
  for (const field of FOREIGN_FIELDS[topic])
    if (field in body) throw shape(`${field} does not belong to a ${topic} payload`);
}

function customer(value: unknown): ComplianceCustomer {
  const ref = object(value, 'customer');
  const decoded = {
    id: optionalId(ref.id, 'customer.id'),
    email: optionalText(ref.email, 'customer.email'),
    phone: optionalText(ref.phone, 'customer.phone'),
  };
  if (decoded.id === null && decoded.email === null && decoded.phone === null)
    throw shape('customer must name an id, an email or a phone');
  return decoded;
}

/** The shop resource (app/uninstalled, shop/update): its id and permanent domain. */
function shopResource(payload: JsonObject): { shopId: string; shopDomain: string } {
  const shopDomain = shopDomainField(payload, 'myshopify_domain');
  // `domain` is the primary domain: a custom one, or the shop's own myshopify domain — never
  // another shop's.
  const primary = payload.domain;
  if (typeof primary === 'string' && primary.endsWith('.myshopify.com') && primary !== shopDomain)
    throw new WebhookPayloadError(
      'shop_mismatch',
      'domain names another shop than myshopify_domain',
    );
  return { shopId: id(payload.id, 'id'), shopDomain };
}

/**
 * Decodes a privacy or lifecycle webhook's parsed body as Shopify documents it:
 * customers/redact `{shop_id, shop_domain, customer{id,email,phone}, orders_to_redact}`,
 * customers/data_request `{shop_id, shop_domain, customer, orders_requested, data_request{id}}`,
 * shop/redact `{shop_id, shop_domain}`, app/uninstalled the shop resource (`id`,
 * `myshopify_domain`, …). Throws `WebhookPayloadError` ('shape').
 */
export function decodePrivacyWebhook(topic: PrivacyWebhookTopic, payload: unknown): PrivacyWebhook {
  const body = object(payload, 'payload');
  refuseForeignFields(topic, body);
  switch (topic) {
    case 'customers/redact':
      return {
        topic,
        shopId: id(body.shop_id, 'shop_id'),
        shopDomain: shopDomainField(body, 'shop_domain'),
        customer: customer(body.customer),
        ordersToRedact: ids(body.orders_to_redact, 'orders_to_redact'),
      };
    case 'customers/data_request':
      return {
        topic,
        shopId: id(body.shop_id, 'shop_id'),
        shopDomain: shopDomainField(body, 'shop_domain'),
        customer: customer(body.customer),
        ordersRequested: ids(body.orders_requested, 'orders_requested'),
        dataRequestId: id(object(body.data_request, 'data_request').id, 'data_request.id'),
      };
    case 'shop/redact':
      return {
        topic,
        shopId: id(body.shop_id, 'shop_id'),
        shopDomain: shopDomainField(body, 'shop_domain'),
      };
    case 'app/uninstalled':
      return { topic, ...shopResource(body) };
  }
}

/** customers/* topics about one customer resource, whose payload is the customer (with its id). */
const CUSTOMER_RESOURCE_TOPICS = new Set([
  'customers/create',
  'customers/update',
  'customers/delete',
  'customers/enable',
  'customers/disable',
]);

/** Fields by which Shopify's payloads name a shop (the shop resource's `domain` is handled apart). */
const SHOP_FIELDS = ['shop_domain', 'myshopify_domain'] as const;

/**
 * Decodes a privacy webhook and checks it is about `shopDomain` (the header's, or the envelope's
 * on Kafka). Throws `WebhookPayloadError`: 'shape' or 'shop_mismatch'.
 */
export function decodePrivacyWebhookFor(
  topic: PrivacyWebhookTopic,
  shopDomain: string,
  payload: unknown,
): PrivacyWebhook {
  const decoded = decodePrivacyWebhook(topic, payload);
  if (decoded.shopDomain !== shopDomain)
    throw new WebhookPayloadError(
      'shop_mismatch',
      `the payload names another shop than the header`,
    );
  return decoded;
}

/**
 * The gateway's check of a `shop/*`, `customers/*` or `app/*` webhook before it is written:
 * - the privacy topics must decode (`decodePrivacyWebhook`) and name the header's shop;
 * - `shop/update` is the shop resource and must name the header's shop;
 * - customers/create|update|delete|enable|disable carry the customer, which must have an `id`
 *   (Shopify's customer payload names no shop, so there is nothing to compare);
 * - any other topic of these families must be a JSON object, and a `shop_domain` or
 *   `myshopify_domain` it carries must be the header's shop (new topics are not refused for
 *   being new, but cannot name another shop).
 * Topics of other families pass unchecked. Throws `WebhookPayloadError`.
 */
export function crossCheckShopWebhook(topic: string, shopDomain: string, payload: unknown): void {
  if (!isCrossCheckedWebhookTopic(topic)) return;
  if (isPrivacyWebhookTopic(topic)) {
    decodePrivacyWebhookFor(topic, shopDomain, payload);
    return;
  }
  const body = object(payload, 'payload');
  if (topic === 'shop/update') {
    if (shopResource(body).shopDomain !== shopDomain)
      throw new WebhookPayloadError(
        'shop_mismatch',
        'the payload names another shop than the header',
      );
    return;
  }
  if (CUSTOMER_RESOURCE_TOPICS.has(topic)) id(body.id, 'id');
  for (const field of SHOP_FIELDS) {
    if (body[field] !== undefined && body[field] !== shopDomain)
      throw new WebhookPayloadError('shop_mismatch', `${field} names another shop than the header`);
  }
}

/**
 * The one reading of a privacy or lifecycle webhook on `shopify.compliance.v1`, for every
 * consumer: the body parsed exactly, decoded for its topic, and checked to name the envelope's
 * shop. Refused with 'json', or 'payload' (a body that does not fit its topic or names another
 * shop — the detail says which, by field name only).
 */
export function decodePrivacyMessage(
  envelope: Pick<WebhookEnvelope, 'shopifyTopic' | 'shopDomain' | 'payload'>,
): Decoded<PrivacyWebhook> {
  if (!isPrivacyWebhookTopic(envelope.shopifyTopic))
    return rejected('payload', 'not a privacy or lifecycle topic');
  const json = decodeJson(envelope.payload, true);
  if (!json.ok) return json;
  try {
    return accepted(
      decodePrivacyWebhookFor(envelope.shopifyTopic, envelope.shopDomain, json.value),
    );
  } catch (error) {
    if (error instanceof WebhookPayloadError) return rejected('payload', error.message);
    throw error;
  }
}
