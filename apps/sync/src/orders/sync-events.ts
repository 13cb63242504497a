import { createHash } from 'node:crypto';
import {
  decodeOrderEvent,
  decodePrivacyMessage,
  decodeWebhookMessage,
  DomainTopic,
  isPrivacyWebhookTopic,
  type OrderData,
  type PrivacyWebhookTopic,
  ShopifyKafkaTopic,
} from '@shopwire/contracts';
import { isJsonObject, parseShopifyJson, shopifyId, type ShopifyJson } from '@shopwire/shopify';
import type { KafkaMessage } from 'kafkajs';
import { decodeInstallationInput, type InstallationInput } from '../schedule/installation-input';

/** What this service acts on from `shopify.compliance.v1` (the contracts' one list). */
export type PrivacyAction = PrivacyWebhookTopic;

export interface ProductState {
  id: string;
  title: string | null;
  handle: string | null;
  status: string | null;
  updatedAt: string;
  variants: {
    id: string;
    sku: string | null;
    price: string | null;
    inventoryItemId: string | null;
  }[];
}

export type SyncInput =
  | { kind: 'order'; inboxId: string; topic: string; shopDomain: string; order: OrderData }
  | {
      kind: 'privacy';
      inboxId: string;
      topic: string;
      shopDomain: string;
      action: PrivacyAction;
      customerId: string | null;
      customerEmail: string | null;
      /** customers/redact `orders_to_redact`, customers/data_request `orders_requested`. */
      orderIds: string[];
    }
  | { kind: 'product'; inboxId: string; topic: string; shopDomain: string; product: ProductState }
  | {
      kind: 'product-deleted';
      inboxId: string;
      topic: string;
      shopDomain: string;
      productId: string;
      at: string;
    }
  | InstallationInput
  | { kind: 'ignored'; topic: string }
  | { kind: 'rejected'; topic: string; offset: string; reason: string };

export function emailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

const text = (value: ShopifyJson | undefined): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

function parseProduct(body: ShopifyJson): ProductState | null {
  if (!isJsonObject(body)) return null;
  const id = shopifyId(body.id);
  const updatedAt = text(body.updated_at);
  if (!id || !/^\d{1,19}$/.test(id) || !updatedAt || Number.isNaN(Date.parse(updatedAt)))
    return null;
  const variants = Array.isArray(body.variants) ? body.variants : [];
  return {
    id,
    title: text(body.title),
    handle: text(body.handle),
    status: text(body.status),
    updatedAt,
    variants: variants.filter(isJsonObject).flatMap((v) => {
      const variantId = shopifyId(v.id);
      if (!variantId || !/^\d{1,19}$/.test(variantId)) return [];
      const item = shopifyId(v.inventory_item_id);
      return [
        {
          id: variantId,
          sku: text(v.sku),
          // Prices are decimal strings; anything else is not stored rather than guessed at.
          price: typeof v.price === 'string' && /^-?\d+(\.\d+)?$/.test(v.price) ? v.price : null,
          inventoryItemId: item && /^\d{1,19}$/.test(item) ? item : null,
        },
      ];
    }),
  };
}

/** Turns one Kafka message into what the sync service should do with it (pure, never throws). */
export function decodeSyncInput(topic: string, message: KafkaMessage): SyncInput {
  const reject = (reason: string): SyncInput => ({
    kind: 'rejected',
    topic,
    offset: message.offset,
    reason,
  });
  if (topic === DomainTopic.OrderAccepted) {
    const decoded = decodeOrderEvent(topic, message.value);
    if (!decoded.ok) return reject(decoded.reason);
    const event = decoded.value;
    return {
      kind: 'order',
      inboxId: event.eventId,
      topic,
      shopDomain: event.shopDomain,
      order: event.data.order,
    };
  }
  if (topic === DomainTopic.ShopInstallationChanged)
    return decodeInstallationInput(topic, message) ?? reject('event');
  if (topic !== ShopifyKafkaTopic.Compliance && topic !== ShopifyKafkaTopic.Products)
    return { kind: 'ignored', topic };
  const decoded = decodeWebhookMessage(message);
  if (!decoded.ok) return reject(decoded.reason);
  const envelope = decoded.value;
  const isPrivacy = topic === ShopifyKafkaTopic.Compliance;
  if (isPrivacy && !isPrivacyWebhookTopic(envelope.shopifyTopic)) return { kind: 'ignored', topic };
  if (!isPrivacy && !envelope.shopifyTopic.startsWith('products/'))
    return { kind: 'ignored', topic };
  const base = { inboxId: envelope.webhookId, topic, shopDomain: envelope.shopDomain };
  if (isPrivacy) {
    const privacy = decodePrivacyMessage(envelope);
    if (!privacy.ok) return reject(privacy.reason);
    const webhook = privacy.value;
    const customer = 'customer' in webhook ? webhook.customer : null;
    return {
      ...base,
      kind: 'privacy',
      action: webhook.topic,
      customerId: customer?.id ?? null,
      customerEmail: customer?.email ?? null,
      orderIds:
        webhook.topic === 'customers/redact'
          ? webhook.ordersToRedact
          : webhook.topic === 'customers/data_request'
            ? webhook.ordersRequested
            : [],
    };
  }
  let body: ShopifyJson;
  try {
    body = parseShopifyJson(envelope.payload);
  } catch {
    return reject('json');
  }
  if (envelope.shopifyTopic === 'products/delete') {
    const id = isJsonObject(body) ? shopifyId(body.id) : null;
    if (!id || !/^\d{1,19}$/.test(id)) return reject('payload');
    return {
      ...base,
      kind: 'product-deleted',
      productId: id,
      at: envelope.triggeredAt ?? envelope.receivedAt,
    };
  }
  const product = parseProduct(body);
  return product ? { ...base, kind: 'product', product } : reject('payload');
}
