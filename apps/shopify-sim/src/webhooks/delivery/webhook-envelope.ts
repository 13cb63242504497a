import { createHmac } from 'node:crypto';
import type { SeededRandom } from '../../random/seeded-random';
import type { WebhookEvent } from '../traffic/webhook-traffic.generator';

/**
 * Shopify's webhook signature: HMAC-SHA256 of the raw body with the app secret, base64. The
 * simulator's own code, so a bug in the gateway's verifier cannot be mirrored here.
 */
export function signWebhookBody(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** Which key signs a delivery: the current secret, the pre-rotation one, or a wrong one. */
export type SigningKey = 'current' | 'old' | 'wrong';

export interface SigningSecrets {
  current: string;
  /** The secret before the last rotation; Shopify may keep using it for up to an hour. */
  old?: string;
}

/** A key nobody configures, to exercise the receiver's 401 path. */
const WRONG_SECRET = 'shopify-sim-deliberately-wrong-secret';

/**
 * One delivery of a webhook: what goes on the wire, fixed once. A retry re-sends exactly these
 * bytes and headers (same webhook id, same signature); a duplicate is a second delivery object
 * sharing them too, because Shopify's at-least-once duplicates reuse the webhook id.
 */
export interface WebhookDelivery {
  webhookId: string;
  topic: string;
  shopDomain: string;
  eventId: string;
  body: Buffer;
  headers: Record<string, string>;
  signedWith: SigningKey;
  /** Set on the extra copies the fault injector adds. */
  duplicate: boolean;
  /** Where it goes when routed by subscriptions (otherwise the stream's URL). */
  url?: string;
  /** The API subscription it is for; its removal follows when the delivery is given up. */
  subscriptionId?: number;
}

export interface EnvelopeOptions {
  apiVersion: string;
  secrets: SigningSecrets;
  signWith?: SigningKey;
}

function secretFor(key: SigningKey, secrets: SigningSecrets): string {
  switch (key) {
    case 'current':
      return secrets.current;
    case 'old':
      // Without a configured old secret a rotation cannot be simulated; the current one stands in.
      return secrets.old ?? secrets.current;
    case 'wrong':
      return WRONG_SECRET;
  }
}

/**
 * Both header sets: the classic `X-Shopify-*` and the newer events system's unprefixed names,
 * which Shopify currently sends side by side.
 */
export function webhookHeaders(fields: {
  topic: string;
  hmac: string;
  shopDomain: string;
  apiVersion: string;
  webhookId: string;
  eventId: string;
  triggeredAt: Date;
}): Record<string, string> {
  const values: Record<string, string> = {
    Topic: fields.topic,
    'Hmac-Sha256': fields.hmac,
    'Shop-Domain': fields.shopDomain,
    'API-Version': fields.apiVersion,
    'Webhook-Id': fields.webhookId,
    'Event-Id': fields.eventId,
    'Triggered-At': fields.triggeredAt.toISOString(),
  };
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'Shopify-Captain-Hook',
  };
  for (const [name, value] of Object.entries(values)) {
    headers[`X-Shopify-${name}`] = value;
    headers[`shopify-${name.toLowerCase()}`] = value;
  }
  return headers;
}

export function buildDelivery(
  event: WebhookEvent,
  webhookId: string,
  options: EnvelopeOptions,
): WebhookDelivery {
  const signedWith = options.signWith ?? 'current';
  return {
    webhookId,
    topic: event.topic,
    shopDomain: event.shopDomain,
    eventId: event.eventId,
    body: event.body,
    headers: webhookHeaders({
      topic: event.topic,
      hmac: signWebhookBody(secretFor(signedWith, options.secrets), event.body),
      shopDomain: event.shopDomain,
      apiVersion: options.apiVersion,
      webhookId,
      eventId: event.eventId,
      triggeredAt: event.triggeredAt,
    }),
    signedWith,
    duplicate: false,
  };
}

/** Chooses the signing key for one delivery from the configured rotation/wrong-secret ratios. */
export function chooseSigningKey(
  rng: SeededRandom,
  oldRatio: number,
  wrongRatio: number,
): SigningKey {
  const roll = rng.next();
  if (roll < wrongRatio) return 'wrong';
  if (roll < wrongRatio + oldRatio) return 'old';
  return 'current';
}
