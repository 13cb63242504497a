import { ShopifyKafkaTopic } from '@shopwire/contracts';
import { collectMessages, headerValue, testKafka, topicPositions } from '@shopwire/testing';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import {
  post,
  signedDelivery,
  startGateway,
  type Delivery,
  type RunningGateway,
} from './gateway-harness';

// A privacy or lifecycle webhook is signed over its body only. Captured once, such a body could be
// re-sent with another shop's X-Shopify-Shop-Domain or another X-Shopify-Topic (new webhook id,
// same valid HMAC): the real gateway must refuse both before anything reaches Kafka.
const victim = `victim-${randomUUID().slice(0, 8)}.myshopify.com`;
const attacker = `attacker-${randomUUID().slice(0, 8)}.myshopify.com`;

const bodies = {
  'customers/redact': Buffer.from(
    `{"shop_id":954889,"shop_domain":"${attacker}","customer":{"id":9007199254740993,` +
      `"email":"ann@example.com","phone":"+15550100"},"orders_to_redact":[820982911946154508]}`,
  ),
  'customers/data_request': Buffer.from(
    `{"shop_id":954889,"shop_domain":"${attacker}","orders_requested":[299938],` +
      `"customer":{"id":191167,"email":"ann@example.com","phone":null},"data_request":{"id":9999}}`,
  ),
  'shop/redact': Buffer.from(`{"shop_id":954889,"shop_domain":"${attacker}"}`),
  'app/uninstalled': Buffer.from(
    `{"id":954889,"name":"Attacker","domain":"attacker.example","myshopify_domain":"${attacker}"}`,
  ),
};
type Topic = keyof typeof bodies;

function delivery(topic: string, body: Buffer, shop: string): Delivery {
  const d = signedDelivery(body, { topic });
  d.headers['x-shopify-shop-domain'] = shop;
  return d;
}

async function rejected(gateway: RunningGateway, reason: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const match = new RegExp(
    `^shopwire_webhooks_rejected_total\\{reason="${reason}"[^}]*\\} (\\S+)$`,
    'm',
  ).exec(text);
  return Number(match?.[1] ?? NaN);
}

let gateway: RunningGateway;
let kafka: Kafka;
let from: Map<number, string>;

beforeAll(async () => {
  gateway = await startGateway();
  kafka = testKafka();
  from = await topicPositions(kafka, ShopifyKafkaTopic.Compliance);
});

afterAll(async () => {
  await gateway.close();
});

it('refuses captured compliance bodies re-sent for another shop or as another topic, writing nothing', async () => {
  const mismatchBefore = await rejected(gateway, 'shop_mismatch');
  const shapeBefore = await rejected(gateway, 'payload_shape');

  // The originals, as Shopify delivered them to the attacker's own shop: accepted.
  const originals = (Object.keys(bodies) as Topic[]).map((topic) =>
    delivery(topic, bodies[topic], attacker),
  );
  for (const d of originals) expect((await post(gateway.url, d)).status).toBe(200);

  // The same signed bytes with the victim's header.
  const otherShop = (Object.keys(bodies) as Topic[]).map((topic) =>
    delivery(topic, bodies[topic], victim),
  );
  // The same signed bytes under another topic (same shop, so only the shape can tell).
  const otherTopic = [
    delivery('shop/redact', bodies['customers/redact'], attacker),
    delivery('shop/redact', bodies['customers/data_request'], attacker),
    delivery('customers/redact', bodies['customers/data_request'], attacker),
    delivery('customers/data_request', bodies['customers/redact'], attacker),
    delivery('app/uninstalled', bodies['shop/redact'], attacker),
    delivery('customers/redact', bodies['app/uninstalled'], attacker),
  ];
  for (const d of otherShop) {
    const response = await post(gateway.url, d);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe('shop_mismatch');
    // The answer names what is wrong, never the payload's personal data.
    expect(answer.message).not.toContain('ann@example.com');
  }
  for (const d of otherTopic) {
    const response = await post(gateway.url, d);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('payload_shape');
  }

  expect((await rejected(gateway, 'shop_mismatch')) - mismatchBefore).toBe(otherShop.length);
  expect((await rejected(gateway, 'payload_shape')) - shapeBefore).toBe(otherTopic.length);

  // Only the originals are on the topic: wait for one more than should come, so a refused
  // delivery written late would be seen.
  const ids = [...originals, ...otherShop, ...otherTopic].map((d) => d.webhookId);
  const found = await collectMessages(kafka, ShopifyKafkaTopic.Compliance, {
    from,
    filter: (m) => ids.includes(headerValue(m, 'shopify-webhook-id') ?? ''),
    done: (messages) => messages.length >= originals.length + 1,
    timeoutMs: 10_000,
  });
  expect(new Set(found.map((f) => headerValue(f.message, 'shopify-webhook-id')))).toEqual(
    new Set(originals.map((d) => d.webhookId)),
  );
  expect(found.every((f) => headerValue(f.message, 'shopify-shop-domain') === attacker)).toBe(true);
});
