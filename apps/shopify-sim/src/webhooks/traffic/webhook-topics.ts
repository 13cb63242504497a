/** The topics the simulator can deliver. */
export const WEBHOOK_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'products/update',
  'discounts/update',
  'shop/update',
  'inventory_levels/update',
  'customers/create',
  'customers/data_request',
  'customers/redact',
  'shop/redact',
  'app/uninstalled',
] as const;

export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

/** Relative weights of merchant actions; a topic missing or weighted 0 never appears. */
export type TopicMix = Partial<Record<WebhookTopic, number>>;

/**
 * A busy store's everyday shape: orders dominate, most get a later update (payment captured,
 * fulfilled), a few are cancelled; catalog and inventory churn in the background. Compliance
 * topics, app/uninstalled, shop/update and discounts/update are rare events, so they only appear
 * when asked for.
 */
export const DEFAULT_TOPIC_MIX: TopicMix = {
  'orders/create': 40,
  'orders/updated': 30,
  'orders/cancelled': 4,
  'products/update': 8,
  'inventory_levels/update': 12,
  'customers/create': 6,
};

export function isWebhookTopic(value: string): value is WebhookTopic {
  return (WEBHOOK_TOPICS as readonly string[]).includes(value);
}

/** Parses `orders/create=5,orders/updated=2` (CLI form); a bare topic weighs 1. */
export function parseTopicMix(text: string): TopicMix {
  const mix: TopicMix = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [topic = '', weightText] = part.split('=');
    if (!isWebhookTopic(topic))
      throw new Error(`unknown topic "${topic}" (known: ${WEBHOOK_TOPICS.join(', ')})`);
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (!Number.isFinite(weight) || weight < 0)
      throw new Error(`weight of ${topic} must be a number >= 0`);
    mix[topic] = weight;
  }
  if (!Object.values(mix).some((weight) => (weight ?? 0) > 0))
    throw new Error('the topic mix has no positive weight');
  return mix;
}
