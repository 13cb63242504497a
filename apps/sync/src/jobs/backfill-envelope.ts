import { envelopeHeaders, messageKey, ShopifyKafkaTopic } from '@shopwire/contracts';
import type { OutboxMessage } from '@shopwire/database';
import { isJsonObject, shopifyId, type ShopifyJson } from '@shopwire/shopify';

/** The Shopify topic a backfilled order travels as: the order service treats it as any update. */
export const BACKFILL_ORDER_TOPIC = 'orders/updated';

export class BackfillOrderError extends Error {
  override readonly name = 'BackfillOrderError';
}

/**
 * The webhook id of a backfilled order state. Deterministic per (order id, updated_at): running
 * the backfill again, or resuming it after a crash, produces the same id for an unchanged order,
 * which the order service's inbox drops as a duplicate; a changed order has a newer updated_at,
 * so a new id, and the order service's stale guard decides between it and any webhook.
 */
export function backfillWebhookId(orderId: string, updatedAt: string): string {
  return `backfill-${orderId}-${updatedAt}`;
}

/**
 * One REST-shaped order (as `orders.json` lists it, parsed losslessly) as the envelope the gateway
 * would have written for an `orders/updated` webhook: same topic, key `<shop>/<order id>` and
 * headers. IDs above 2^53 are strings in the parsed order and stay exact in the payload text; the
 * order service reads ids either way.
 */
export function backfillOrderMessage(
  shop: string,
  order: ShopifyJson,
  apiVersion: string,
  receivedAt: Date,
): OutboxMessage & { orderId: string; webhookId: string } {
  if (!isJsonObject(order)) throw new BackfillOrderError('an order in the reply is not an object');
  const orderId = shopifyId(order.id);
  const updatedAt = order.updated_at;
  if (!orderId || !/^\d+$/.test(orderId))
    throw new BackfillOrderError('an order in the reply has no numeric id');
  if (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt)))
    throw new BackfillOrderError(`order ${orderId} has no valid updated_at`);
  const webhookId = backfillWebhookId(orderId, updatedAt);
  return {
    orderId,
    webhookId,
    topic: ShopifyKafkaTopic.Orders,
    key: messageKey(shop, orderId),
    value: JSON.stringify(order),
    headers: envelopeHeaders({
      webhookId,
      eventId: null,
      shopifyTopic: BACKFILL_ORDER_TOPIC,
      shopDomain: shop,
      apiVersion,
      triggeredAt: null,
      receivedAt: receivedAt.toISOString(),
    }),
  };
}
