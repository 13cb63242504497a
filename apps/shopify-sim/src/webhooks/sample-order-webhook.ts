import { SeededRandom } from '../random/seeded-random';
import { buildDelivery } from './delivery/webhook-envelope';
import { createCatalog } from './payloads/catalog-payload.factory';
import { createCustomerRecord } from './payloads/customer-payload.factory';
import { createOrderRecord, renderOrder } from './payloads/order-payload.factory';
import { shopProfile } from './payloads/shop-profile';
import { toShopifyJson } from './payloads/shopify-json.writer';

export interface SampleOrderWebhookOptions {
  /** Signs the body; must be one of the receiver's `SHOPIFY_WEBHOOK_SECRETS`. */
  secret: string;
  shopDomain?: string;
  apiVersion?: string;
  /** Line items; 3 gives a body of about 4 KB. */
  lineItems?: number;
  /** Fixed clock for byte-identical output across runs; defaults to a constant date. */
  at?: Date;
}

const FIXED_AT = new Date('2026-11-27T14:00:00.000Z');

/**
 * A signed orders/create delivery of about 4 KB, ready to POST (for the gateway benchmark).
 * Deterministic in `seed`: vary the seed to get distinct order and webhook ids, since a receiver
 * deduplicates on X-Shopify-Webhook-Id. Pure: no Nest, no I/O, no environment.
 */
export function sampleOrderWebhook(
  seed: string | number,
  options: SampleOrderWebhookOptions,
): { body: Buffer; headers: Record<string, string> } {
  const at = options.at ?? FIXED_AT;
  const rng = new SeededRandom(`sample-order:${seed}`);
  const shop = shopProfile(options.shopDomain ?? 'shopwire-demo.myshopify.com');
  const order = createOrderRecord(rng, {
    shop,
    catalog: createCatalog(rng.fork('catalog'), at, 8),
    customer: createCustomerRecord(rng, at),
    number: 1001 + rng.int(0, 900_000),
    at,
    lineItemCount: options.lineItems ?? 3,
  });
  const body = toShopifyJson(renderOrder(order, shop));
  const delivery = buildDelivery(
    {
      topic: 'orders/create',
      shopDomain: shop.domain,
      eventId: rng.uuid(),
      triggeredAt: at,
      body,
      resourceId: String(order.id),
    },
    rng.uuid(),
    { apiVersion: options.apiVersion ?? '2026-10', secrets: { current: options.secret } },
  );
  return { body: delivery.body, headers: delivery.headers };
}
