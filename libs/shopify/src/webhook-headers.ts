import { isShopDomain } from '@shopwire/contracts';

/**
 * Reading Shopify's webhook headers. Shopify's newer events system sends the same headers
 * without the `X-` prefix (`shopify-topic`, …) and, for now, both sets; either is accepted.
 * Node lower-cases incoming header names, so lookups here are lower-case.
 */
export interface ShopifyWebhookHeaders {
  topic: string | null;
  hmac: string | null;
  shopDomain: string | null;
  webhookId: string | null;
  eventId: string | null;
  apiVersion: string | null;
  triggeredAt: string | null;
}

export type IncomingHeaders = Record<string, string | string[] | undefined>;

function pick(headers: IncomingHeaders, suffix: string): string | null {
  const value = headers[`x-shopify-${suffix}`] ?? headers[`shopify-${suffix}`];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first;
}

export function readWebhookHeaders(headers: IncomingHeaders): ShopifyWebhookHeaders {
  return {
    topic: pick(headers, 'topic'),
    hmac: pick(headers, 'hmac-sha256'),
    shopDomain: pick(headers, 'shop-domain'),
    webhookId: pick(headers, 'webhook-id'),
    eventId: pick(headers, 'event-id'),
    apiVersion: pick(headers, 'api-version'),
    triggeredAt: pick(headers, 'triggered-at'),
  };
}

const WEBHOOK_TOPIC = /^[a-z_]+(\/[a-z_]+)+$/;
// Webhook ids are UUIDs in practice; accept any short token without spaces or control characters.
const WEBHOOK_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The one shop-domain check of `@shopwire/contracts`, under the name this library gave it. */
export function isValidShopDomain(value: string): boolean {
  return isShopDomain(value);
}

/**
 * The headers a delivery must carry to be routed and deduplicated, or the list of what is
 * missing or malformed (for a 400 that tells the sender exactly what to fix).
 */
export function missingWebhookHeaders(headers: ShopifyWebhookHeaders): string[] {
  const problems: string[] = [];
  if (!headers.topic) problems.push('X-Shopify-Topic is missing');
  else if (!WEBHOOK_TOPIC.test(headers.topic)) problems.push('X-Shopify-Topic is malformed');
  if (!headers.shopDomain) problems.push('X-Shopify-Shop-Domain is missing');
  else if (!isValidShopDomain(headers.shopDomain))
    problems.push('X-Shopify-Shop-Domain is not a *.myshopify.com domain');
  if (!headers.webhookId) problems.push('X-Shopify-Webhook-Id is missing');
  else if (!WEBHOOK_ID.test(headers.webhookId)) problems.push('X-Shopify-Webhook-Id is malformed');
  return problems;
}
