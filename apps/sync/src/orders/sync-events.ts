import { createHash } from 'node:crypto';
import {
  decodeOrderEvent,
  decodePrivacyMessage,
  decodeProductDeleted,
  decodeProductUpdate,
  decodeWebhookMessage,
  DomainTopic,
  isPrivacyWebhookTopic,
  type OrderData,
  type PrivacyWebhookTopic,
  ShopifyKafkaTopic,
  type ProductUpdate,
  webhookFamily,
} from '@shopwire/contracts';
import type { KafkaMessage } from 'kafkajs';
import { decodeInstallationInput, type InstallationInput } from '../schedule/installation-input';

/** What this service acts on from `shopify.compliance.v1` (the contracts' one list). */
export type PrivacyAction = PrivacyWebhookTopic;

/** A product as the catalog keeps it (the contracts' projection of products/create|update). */
export type ProductState = ProductUpdate;

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
  /** `reason`: a bounded label (the webhook's family, or `topic` for a topic it does not read). */
  | { kind: 'ignored'; topic: string; reason: string }
  | { kind: 'rejected'; topic: string; offset: string; reason: string };

export function emailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
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
    return { kind: 'ignored', topic, reason: 'topic' };
  const decoded = decodeWebhookMessage(message);
  if (!decoded.ok) return reject(decoded.reason);
  const envelope = decoded.value;
  const isPrivacy = topic === ShopifyKafkaTopic.Compliance;
  const unused = isPrivacy
    ? !isPrivacyWebhookTopic(envelope.shopifyTopic)
    : !envelope.shopifyTopic.startsWith('products/');
  if (unused) return { kind: 'ignored', topic, reason: webhookFamily(envelope.shopifyTopic) };
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
  if (envelope.shopifyTopic === 'products/delete') {
    const deleted = decodeProductDeleted(envelope);
    if (!deleted.ok) return reject(deleted.reason);
    return {
      ...base,
      kind: 'product-deleted',
      productId: deleted.value.productId,
      at: envelope.triggeredAt ?? envelope.receivedAt,
    };
  }
  const product = decodeProductUpdate(envelope);
  return product.ok ? { ...base, kind: 'product', product: product.value } : reject(product.reason);
}
