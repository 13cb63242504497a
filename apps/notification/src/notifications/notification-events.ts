import { createHash } from 'node:crypto';
import {
  decodeInventoryLevelLow,
  decodeOrderEvent,
  decodePrivacyMessage,
  decodeWebhookMessage,
  DomainTopic,
  isPrivacyWebhookTopic,
  type OrderData,
  type PrivacyWebhookTopic,
  ShopifyKafkaTopic,
  webhookFamily,
} from '@shopwire/contracts';
import { orderIdentities, type CustomerIdentity } from '@shopwire/privacy';
import type { KafkaMessage } from 'kafkajs';
import {
  Template,
  type LowStockVariables,
  type OrderEmailVariables,
} from './notification-templates';

/** An email to record as an intent. */
export interface IntentDraft {
  template: Template;
  orderId: string | null;
  customerId: string | null;
  /** null: nobody to send to (no email on the order, no merchant address) — recorded 'skipped'. */
  recipient: string | null;
  recipientName: string | null;
  variables: OrderEmailVariables | LowStockVariables;
  /** The customers the email is about (checked against redaction tombstones); none for merchants. */
  subjects: CustomerIdentity[];
}

/** What this service acts on from `shopify.compliance.v1` (the contracts' one list). */
export type PrivacyAction = PrivacyWebhookTopic;

export type NotificationInput =
  | {
      kind: 'email';
      inboxId: string;
      topic: string;
      shopDomain: string;
      drafts: IntentDraft[];
      /** The event's trace headers (`traceparent`, …), kept with the intent for the send's span. */
      trace: Record<string, string>;
    }
  | {
      kind: 'privacy';
      inboxId: string;
      topic: string;
      shopDomain: string;
      action: PrivacyAction;
      customerId: string | null;
      customerEmail: string | null;
    }
  /** `reason`: a bounded label (the webhook's family, or `topic` for a topic not handled here). */
  | { kind: 'ignored'; topic: string; reason: string }
  /** `detail` names fields only, never their values (the contracts' decoders). */
  | { kind: 'rejected'; topic: string; offset: string; reason: string; detail: string };

/** The lookup key for a recipient: customers/redact may name the customer only by email. */
export function recipientHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/** `merchant@example.com` → `m•••@example.com`: enough to tell recipients apart in a log. */
export function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}

function orderVariables(order: OrderData): OrderEmailVariables {
  return {
    orderName: order.name,
    currency: order.currency,
    totalPrice: order.totalPrice,
    firstName: order.customer?.firstName ?? null,
    cancelReason: order.cancelReason,
    lineItems: (order.lineItems ?? []).map((l) => ({
      title: l.title,
      quantity: l.quantity,
      price: l.price,
    })),
  };
}

function orderDraft(template: Template, order: OrderData): IntentDraft {
  const recipient = order.email ?? order.customer?.email ?? null;
  const names = [order.customer?.firstName, order.customer?.lastName].filter(Boolean);
  return {
    template,
    orderId: order.id,
    customerId: order.customer?.id ?? null,
    recipient,
    recipientName: names.length > 0 ? names.join(' ') : null,
    variables: orderVariables(order),
    subjects: orderIdentities(order),
  };
}

/** Just the W3C trace headers of a message, as text. */
function traceHeaders(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const value = message.headers?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

/**
 * Turns one Kafka message into what the service should do with it, through the contracts'
 * decoders. Pure: no I/O, so a bad message becomes 'rejected' (with the decoder's reason) here
 * and never throws into the runner (which would retry it).
 */
export function decodeNotificationInput(
  topic: string,
  message: KafkaMessage,
  merchantEmail: (shopDomain: string) => string | null,
): NotificationInput {
  const reject = ({ reason, detail }: { reason: string; detail: string }): NotificationInput => ({
    kind: 'rejected',
    topic,
    offset: message.offset,
    reason,
    detail,
  });
  if (topic === ShopifyKafkaTopic.Compliance) {
    const decoded = decodeWebhookMessage(message);
    if (!decoded.ok) return reject(decoded);
    const envelope = decoded.value;
    if (!isPrivacyWebhookTopic(envelope.shopifyTopic)) {
      return { kind: 'ignored', topic, reason: webhookFamily(envelope.shopifyTopic) };
    }
    const webhook = decodePrivacyMessage(envelope);
    if (!webhook.ok) return reject(webhook);
    const customer = 'customer' in webhook.value ? webhook.value.customer : null;
    return {
      kind: 'privacy',
      inboxId: envelope.webhookId,
      topic,
      shopDomain: envelope.shopDomain,
      action: webhook.value.topic,
      customerId: customer?.id ?? null,
      customerEmail: customer?.email ?? null,
    };
  }
  const base = { kind: 'email' as const, topic, trace: traceHeaders(message) };
  switch (topic) {
    case DomainTopic.OrderAccepted:
    case DomainTopic.OrderCancelled: {
      const decoded = decodeOrderEvent(topic, message.value);
      if (!decoded.ok) return reject(decoded);
      const event = decoded.value;
      const template =
        topic === DomainTopic.OrderAccepted
          ? Template.OrderConfirmation
          : Template.OrderCancellation;
      return {
        ...base,
        inboxId: event.eventId,
        shopDomain: event.shopDomain,
        drafts: [orderDraft(template, event.data.order)],
      };
    }
    case DomainTopic.InventoryLevelLow: {
      const decoded = decodeInventoryLevelLow(message.value);
      if (!decoded.ok) return reject(decoded);
      const { eventId, shopDomain, data } = decoded.value;
      const variables: LowStockVariables = {
        sku: data.sku,
        inventoryItemId: data.inventoryItemId,
        locationId: data.locationId,
        available: data.available,
        committed: data.committed,
        sellable: data.sellable,
        threshold: data.threshold,
      };
      return {
        ...base,
        inboxId: eventId,
        shopDomain,
        drafts: [
          {
            template: Template.LowStockAlert,
            orderId: null,
            customerId: null,
            recipient: merchantEmail(shopDomain),
            recipientName: null,
            variables,
            subjects: [],
          },
        ],
      };
    }
    default:
      return { kind: 'ignored', topic, reason: 'topic' };
  }
}
