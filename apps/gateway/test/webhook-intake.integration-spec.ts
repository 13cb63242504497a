import { ShopifyKafkaTopic } from '@shopwire/contracts';
import {
  collectMessages,
  headerValue,
  messagesWrittenSince,
  testKafka,
  topicEndOffset,
  topicPositions,
} from '@shopwire/testing';
import type { Admin, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import {
  OLD_SECRET,
  orderBody,
  post,
  SHOP,
  signedDelivery,
  startGateway,
  type RunningGateway,
} from './gateway-harness';

const BIG_ORDER_ID = '820982911946154508';

describe('gateway → Kafka (real broker)', () => {
  let gateway: RunningGateway;
  let kafka: Kafka;
  let admin: Admin;
  // Read back from where the topics stood when the suite began, not from their beginning.
  let ordersFrom: Map<number, string>;
  let complianceFrom: Map<number, string>;

  beforeAll(async () => {
    gateway = await startGateway({ WEBHOOK_MAX_BYTES: String(64 * 1024) });
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    ordersFrom = await topicPositions(kafka, ShopifyKafkaTopic.Orders);
    complianceFrom = await topicPositions(kafka, ShopifyKafkaTopic.Compliance);
  });

  /**
   * How many messages carrying exactly `body` reached the orders topic since `from`. Counted by
   * content, not by the topic's end offset, which other suites' writes to the shared topic move.
   */
  async function ordersWritten(from: Map<number, string>, body: Buffer): Promise<number> {
    const messages = await messagesWrittenSince(kafka, ShopifyKafkaTopic.Orders, from);
    return messages.filter((message) => message.value?.equals(body) ?? false).length;
  }

  afterAll(async () => {
    await admin.disconnect();
    await gateway.close();
  });

  const onlyWebhook = (id: string) => (message: { headers?: Record<string, unknown> }) =>
    headerValue(message as never, 'shopify-webhook-id') === id;

  it('answers 200 only with the exact bytes on the right topic, key and headers', async () => {
    const body = orderBody(BIG_ORDER_ID);
    const delivery = signedDelivery(body);
    const response = await post(gateway.url, delivery);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'accepted' });

    const [found, ...extra] = await collectMessages(kafka, ShopifyKafkaTopic.Orders, {
      from: ordersFrom,
      filter: onlyWebhook(delivery.webhookId),
      done: (messages) => messages.length >= 1,
    });
    expect(extra).toHaveLength(0);
    expect(found.message.value?.equals(body)).toBe(true);
    expect(found.message.key?.toString()).toBe(`${SHOP}/${BIG_ORDER_ID}`);
    expect(headerValue(found.message, 'shopify-topic')).toBe('orders/create');
    expect(headerValue(found.message, 'shopify-shop-domain')).toBe(SHOP);
    expect(headerValue(found.message, 'shopify-api-version')).toBe('2026-10');
    expect(headerValue(found.message, 'shopify-event-id')).toBe(
      delivery.headers['x-shopify-event-id'],
    );
    expect(headerValue(found.message, 'shopwire-received-at')).toMatch(/^\d{4}-\d\d-\d\dT/);
    // the HMAC is not forwarded: consumers trust the gateway's verification, not a header
    expect(headerValue(found.message, 'x-shopify-hmac-sha256')).toBeUndefined();
  });

  it('accepts the unprefixed shopify-* header set and an old secret during rotation', async () => {
    const delivery = signedDelivery(orderBody('820982911946154999'), {
      prefix: 'shopify-',
      secret: OLD_SECRET,
      topic: 'orders/updated',
    });
    expect((await post(gateway.url, delivery)).status).toBe(200);
    const found = await collectMessages(kafka, ShopifyKafkaTopic.Orders, {
      from: ordersFrom,
      filter: onlyWebhook(delivery.webhookId),
      done: (messages) => messages.length >= 1,
    });
    expect(found).toHaveLength(1);
    expect(headerValue(found[0].message, 'shopify-topic')).toBe('orders/updated');
  });

  it.each([
    [
      'a wrong HMAC',
      (d: ReturnType<typeof signedDelivery>) => ({ ...d.headers, 'x-shopify-hmac-sha256': 'AAAA' }),
      401,
    ],
    [
      'no HMAC',
      (d: ReturnType<typeof signedDelivery>) => {
        const { ['x-shopify-hmac-sha256']: _dropped, ...rest } = d.headers;
        return rest;
      },
      401,
    ],
    [
      'an HMAC from an unknown secret',
      (d: ReturnType<typeof signedDelivery>) =>
        signedDelivery(d.body, { secret: 'attacker', webhookId: d.webhookId }).headers,
      401,
    ],
    [
      'no shop domain',
      (d: ReturnType<typeof signedDelivery>) => {
        const { ['x-shopify-shop-domain']: _dropped, ...rest } = d.headers;
        return rest;
      },
      400,
    ],
  ])('refuses %s and writes nothing', async (_label, mutate, status) => {
    const from = await topicPositions(kafka, ShopifyKafkaTopic.Orders);
    const delivery = signedDelivery(orderBody('820982911946150001'));
    const response = await post(gateway.url, { body: delivery.body, headers: mutate(delivery) });
    expect(response.status).toBe(status);
    expect(await ordersWritten(from, delivery.body)).toBe(0);
  });

  it.each([
    ['not JSON', Buffer.from('this is not json')],
    ['a JSON array', Buffer.from('[1,2,3]')],
    ['truncated JSON', Buffer.from('{"id":820982911946154508,"line_items":[')],
    ['empty', Buffer.alloc(0)],
  ])('answers 400 to a signed body that is %s and writes nothing', async (_label, body) => {
    const from = await topicPositions(kafka, ShopifyKafkaTopic.Orders);
    const response = await post(gateway.url, signedDelivery(body));
    expect(response.status).toBe(400);
    expect(await ordersWritten(from, body)).toBe(0);
  });

  it('answers 413 above the size limit and writes nothing', async () => {
    const from = await topicPositions(kafka, ShopifyKafkaTopic.Orders);
    const huge = Buffer.from(`{"id":1,"note":"${'x'.repeat(128 * 1024)}"}`);
    const response = await post(gateway.url, signedDelivery(huge));
    expect(response.status).toBe(413);
    expect(await ordersWritten(from, huge)).toBe(0);
  });

  it('routes compliance topics to the compliance topic and refuses them unsigned', async () => {
    const body = Buffer.from(
      `{"shop_id":954889,"shop_domain":"${SHOP}","customer":{"id":9007199254740993,"email":"a@b.c","phone":"+1555"},"orders_to_redact":[299938,280263]}`,
    );
    const bad = signedDelivery(body, { topic: 'customers/redact', secret: 'wrong' });
    expect((await post(gateway.url, bad)).status).toBe(401);

    const good = signedDelivery(body, { topic: 'customers/redact' });
    expect((await post(gateway.url, good)).status).toBe(200);
    const found = await collectMessages(kafka, ShopifyKafkaTopic.Compliance, {
      from: complianceFrom,
      filter: (m) =>
        [good.webhookId, bad.webhookId].includes(headerValue(m, 'shopify-webhook-id') ?? ''),
      done: (messages) => messages.length >= 1,
    });
    expect(found.map((f) => headerValue(f.message, 'shopify-webhook-id'))).toEqual([
      good.webhookId,
    ]);
    expect(found[0].message.key?.toString()).toBe(`${SHOP}/9007199254740993`);
  });

  it('answers a topic no service reads 200 and writes nothing (its personal data never reaches Kafka)', async () => {
    const unread = [ShopifyKafkaTopic.Customers, ShopifyKafkaTopic.Other];
    const before = await Promise.all(unread.map((topic) => topicEndOffset(admin, topic)));
    for (const topic of ['customers/create', 'themes/publish']) {
      const response = await post(
        gateway.url,
        signedDelivery(
          Buffer.from('{"id":9007199254740993,"email":"nobody-reads@example.com","phone":"+1555"}'),
          { topic },
        ),
      );
      expect([topic, response.status, await response.json()]).toEqual([
        topic,
        200,
        { status: 'dropped' },
      ]);
    }
    expect(await Promise.all(unread.map((topic) => topicEndOffset(admin, topic)))).toEqual(before);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/shopwire_webhooks_dropped_total\{reason="not_consumed"[^}]*\} 2/);
  });

  it('answers every copy of a repeated delivery 200 and writes it once', async () => {
    const delivery = signedDelivery(orderBody('820982911946150777'), { webhookId: randomUUID() });
    const responses = await Promise.all([1, 2, 3].map(() => post(gateway.url, delivery)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const again = await post(gateway.url, delivery);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate' });
    const found = await collectMessages(kafka, ShopifyKafkaTopic.Orders, {
      from: ordersFrom,
      filter: onlyWebhook(delivery.webhookId),
      done: () => false,
      timeoutMs: 3000,
    });
    expect(found).toHaveLength(1);
  });

  it('keeps one order’s events in one partition, in the order they were acknowledged', async () => {
    const orderId = '820982911946150888';
    const deliveries = ['10:00:01', '10:00:02', '10:00:03', '10:00:04'].map((time) =>
      signedDelivery(orderBody(orderId, `2026-11-27T${time}Z`), { topic: 'orders/updated' }),
    );
    for (const delivery of deliveries) expect((await post(gateway.url, delivery)).status).toBe(200);
    const ids = new Set(deliveries.map((d) => d.webhookId));
    const found = await collectMessages(kafka, ShopifyKafkaTopic.Orders, {
      from: ordersFrom,
      filter: (m) => ids.has(headerValue(m, 'shopify-webhook-id') ?? ''),
      done: (messages) => messages.length >= deliveries.length,
    });
    expect(new Set(found.map((f) => f.partition)).size).toBe(1);
    expect(found.map((f) => headerValue(f.message, 'shopify-webhook-id'))).toEqual(
      deliveries.map((d) => d.webhookId),
    );
  });

  it('serves liveness, readiness with Kafka up, and the metrics it promises', async () => {
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(await ready.json())).toContain('"kafka"');
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    for (const series of [
      'shopwire_webhooks_accepted_total',
      'shopwire_webhooks_rejected_total{reason="bad_hmac"',
      'shopwire_webhooks_rejected_total{reason="too_large"',
      'shopwire_webhook_ack_seconds_bucket',
      'shopwire_kafka_batch_messages_bucket',
    ]) {
      expect(metrics).toContain(series);
    }
  });
});
