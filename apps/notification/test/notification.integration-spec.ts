import { DomainTopic, ShopifyKafkaTopic } from '@shopwire/contracts';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { Pool } from 'pg';
import { messageIdFor } from '../src/notifications/notifications.repository';
import {
  DATABASE_URL,
  lowStockEvent,
  metricValue,
  orderData,
  orderEvent,
  produceCompliance,
  produceEvents,
  resetSchema,
  startApp,
  startGroupAtEnd,
  testKafka,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './notification-harness';

// Real Kafka, Postgres and the simulator's SMTP sink (the built sim as a child process).
interface Mail {
  to: string[];
  messageId: string | null;
  subject: string | null;
  headers: Record<string, string>;
}

const groupId = `notification-it-${randomUUID()}`;
const merchantShop = uniqueShop();
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let sim: SimulatorProcess;
let app: RunningApp;

const mailsOf = async (shop: string): Promise<Mail[]> =>
  (
    await sim.call<{ messages: Mail[] }>(
      'GET',
      `/sim/smtp/messages?header=${encodeURIComponent(`x-shopwire-shop:${shop}`)}`,
    )
  ).json.messages;

const statuses = async (shop: string): Promise<Record<string, number>> => {
  const { rows } = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*) AS n FROM notification.notifications WHERE shop_domain = $1 GROUP BY status',
    [shop],
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
};

async function start(): Promise<RunningApp> {
  return startApp(groupId, {
    SMTP_URL: `smtp://127.0.0.1:${sim.smtpPort}`,
    MERCHANT_EMAILS: `${merchantShop}:owner@merchant.example`,
  });
}

beforeAll(async () => {
  await resetSchema();
  sim = await startSimulatorProcess();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  app = await start();
});

afterAll(async () => {
  await app?.close();
  await producer?.disconnect();
  await db?.end();
  await sim?.stop();
});

describe('notification service', () => {
  it('sends exactly one email per (event, template) when every event arrives three times', async () => {
    const shop = merchantShop;
    const orders = [orderData(), orderData(), orderData()];
    const accepted = orders.map((o) => orderEvent(DomainTopic.OrderAccepted, shop, o));
    const cancelled = orderEvent(DomainTopic.OrderCancelled, shop, {
      ...orders[0],
      cancelReason: 'customer',
    });
    const low = lowStockEvent(shop, '808950810');
    const events = [...accepted, cancelled, low];
    await produceEvents(producer, [...events, ...events, ...events]);

    await waitFor(async () => (await statuses(shop)).sent === 5, 'five emails sent');
    // Redelivered once more after they were sent: still nothing new.
    await produceEvents(producer, events);
    // Wait until the last round was consumed (a fixed sleep ran short on a loaded machine).
    await waitFor(
      async () =>
        (await metricValue(app.registry, 'shopwire_notification_duplicate_events_total')) >= 15,
      'the redelivered events counted as duplicates',
    );

    const mails = await mailsOf(shop);
    expect(mails).toHaveLength(5);
    expect(new Set(mails.map((m) => m.messageId))).toEqual(
      new Set([
        ...accepted.map((e) => messageIdFor(e.eventId, 'order-confirmation')),
        messageIdFor(cancelled.eventId, 'order-cancellation'),
        messageIdFor(low.eventId, 'low-stock-alert'),
      ]),
    );
    expect(mails.find((m) => m.headers['x-shopwire-template'] === 'low-stock-alert')?.to).toEqual([
      'owner@merchant.example',
    ]);
    expect(mails.filter((m) => m.to[0] === orders[0].email!.toLowerCase())).toHaveLength(2);
    expect(await statuses(shop)).toEqual({ sent: 5 });
    expect(
      await metricValue(app.registry, 'shopwire_notification_duplicate_events_total'),
    ).toBeGreaterThanOrEqual(15);

    // The log per order: status and attempts, the address masked, no body.
    const log = await app.get(`/notifications/orders/${orders[0].id}?shop=${shop}`);
    expect(log.statusCode).toBe(200);
    const entries = log.json().notifications as Record<string, unknown>[];
    expect(entries.map((e) => e.template).sort()).toEqual([
      'order-cancellation',
      'order-confirmation',
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({ status: 'sent', attempts: 1, recipient: 'b•••@example.com' });
      expect(entry.sent_at).toEqual(expect.any(String));
      expect(JSON.stringify(entry)).not.toMatch(/Lovelace|Mug|buyer-/);
    }
    const page = await app.get(`/notifications?shop=${shop}&limit=2`);
    expect(page.json().notifications).toHaveLength(2);
    expect(page.json().next_cursor).toEqual(expect.any(String));
  });

  it('keeps intents pending while the SMTP breaker is open and sends each once after recovery', async () => {
    const shop = uniqueShop();
    await sim.call('POST', '/sim/smtp/faults', { down: true });
    try {
      const events = Array.from({ length: 8 }, () =>
        orderEvent(DomainTopic.OrderAccepted, shop, orderData()),
      );
      await produceEvents(producer, events);

      await waitFor(
        async () => (await app.get('/health/ready', null)).json().info?.smtp?.state === 'open',
        'breaker open in /health/ready',
      );
      const ready = await app.get('/health/ready', null);
      expect(ready.statusCode).toBe(200); // open breaker: reported, still ready (see app.module)
      expect(
        await metricValue(app.registry, 'shopwire_circuit_breaker_state', { breaker: 'smtp' }),
      ).toBe(2);
      await waitFor(async () => (await statuses(shop)).pending === 8, 'eight intents recorded');
      expect(await statuses(shop)).toEqual({ pending: 8 });
      expect(await mailsOf(shop)).toHaveLength(0);
    } finally {
      await sim.call('POST', '/sim/smtp/faults', { down: false });
    }

    await waitFor(async () => (await statuses(shop)).sent === 8, 'all eight sent after recovery');
    const mails = await mailsOf(shop);
    expect(mails).toHaveLength(8);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(8);
    await waitFor(
      async () => (await app.get('/health/ready', null)).json().info?.smtp?.state === 'closed',
      'breaker closed again',
    );
    expect(
      await metricValue(app.registry, 'shopwire_circuit_breaker_state', { breaker: 'smtp' }),
    ).toBe(0);
  });

  it('resumes pending intents after a restart', async () => {
    const shop = uniqueShop();
    await sim.call('POST', '/sim/smtp/faults', { tempFailRate: 1 });
    const events = Array.from({ length: 3 }, () =>
      orderEvent(DomainTopic.OrderAccepted, shop, orderData()),
    );
    try {
      await produceEvents(producer, events);
      await waitFor(async () => (await statuses(shop)).pending === 3, 'three pending');
      await app.close();
    } finally {
      await sim.call('POST', '/sim/smtp/faults', { tempFailRate: 0 });
    }
    // Due now rather than after the backoff the failed attempts earned.
    await db.query(
      `UPDATE notification.notifications SET next_attempt_at = now() WHERE shop_domain = $1`,
      [shop],
    );
    app = await start();
    await waitFor(async () => (await statuses(shop)).sent === 3, 'sent after restart');
    expect(await mailsOf(shop)).toHaveLength(3);
  });

  it('takes over an intent whose sender died after sending: resent with the same Message-ID', async () => {
    const shop = uniqueShop();
    const eventId = randomUUID();
    const messageId = messageIdFor(eventId, 'order-confirmation');
    // A replica claimed this intent (lease until now + 1 s), handed it to the relay, and died
    // before marking it sent.
    await db.query(
      `INSERT INTO notification.notifications
         (shop_domain, event_id, template, order_id, recipient, variables, message_id, status, next_attempt_at)
       VALUES ($1, $2, 'order-confirmation', 1, 'late@example.com', $3::jsonb, $4, 'pending', now() + interval '1 second')`,
      [shop, eventId, JSON.stringify({ orderName: '#1', lineItems: [] }), messageId],
    );
    const transport = createTransport(`smtp://127.0.0.1:${sim.smtpPort}`);
    await transport.sendMail({
      from: 'no-reply@shopwire.dev',
      to: 'late@example.com',
      subject: 'Order #1 confirmed',
      text: 'first copy',
      messageId,
      headers: { 'X-Shopwire-Shop': shop },
    });
    transport.close();

    await waitFor(async () => (await statuses(shop)).sent === 1, 'taken over after the lease');
    const mails = await mailsOf(shop);
    // At least once: two deliveries, one identity — receivers drop the copy by Message-ID.
    expect(mails).toHaveLength(2);
    expect(new Set(mails.map((m) => m.messageId))).toEqual(new Set([messageId]));
  });

  it('erases a redacted customer, exports on request and stops sending after uninstall', async () => {
    const shop = uniqueShop();
    const [kept, redacted] = [orderData(), orderData()];
    await produceEvents(producer, [
      orderEvent(DomainTopic.OrderAccepted, shop, kept),
      orderEvent(DomainTopic.OrderAccepted, shop, redacted),
    ]);
    await waitFor(async () => (await statuses(shop)).sent === 2, 'two sent');

    const customer = redacted.customer!;
    await produceCompliance(
      producer,
      shop,
      'customers/data_request',
      `{"shop_id":1,"shop_domain":"${shop}","customer":{"id":${customer.id},"email":"${customer.email}"},"orders_requested":[${redacted.id}],"data_request":{"id":9}}`,
    );
    const privacyRequests = async () =>
      (await app.get(`/notifications/privacy-requests?shop=${shop}`)).json().requests;
    await waitFor(async () => (await privacyRequests()).length === 1, 'export made');
    const [dataRequest] = await privacyRequests();
    expect(dataRequest).toMatchObject({ kind: 'customers/data_request', affected: 1 });
    expect(dataRequest.export.notifications[0]).toMatchObject({
      recipient: customer.email,
      recipientName: 'Ada Lovelace',
      orderId: redacted.id,
    });
    await produceCompliance(
      producer,
      shop,
      'customers/redact',
      `{"shop_id":1,"shop_domain":"${shop}","customer":{"id":${customer.id},"email":"${customer.email}","phone":null},"orders_to_redact":[${redacted.id}]}`,
    );
    await waitFor(async () => (await privacyRequests()).length === 2, 'redact recorded');
    const requests = await privacyRequests();
    // The redact erased the export it made earlier (the request's log row stays).
    expect(requests[0]).toMatchObject({ kind: 'customers/data_request', export: null });
    expect(JSON.stringify(requests)).not.toContain(customer.email);
    // One notification and one export erased.
    expect(requests[1]).toMatchObject({ kind: 'customers/redact', affected: 2 });

    const { rows } = await db.query(
      `SELECT order_id::text AS order_id, recipient, recipient_hash, recipient_name, variables, redacted_at
         FROM notification.notifications WHERE shop_domain = $1 ORDER BY order_id`,
      [shop],
    );
    const erased = rows.find((r) => r.order_id === redacted.id);
    expect(erased).toMatchObject({
      recipient: null,
      recipient_hash: null,
      recipient_name: null,
      variables: null,
    });
    expect(erased.redacted_at).toBeInstanceOf(Date);
    expect(rows.find((r) => r.order_id === kept.id).recipient).toBe(kept.email);
    const log = await app.get(`/notifications/orders/${redacted.id}?shop=${shop}`);
    expect(log.json().notifications[0]).toMatchObject({ recipient: null, status: 'sent' });

    // Counted under the transport's series for the compliance topic, not the service's own.
    const compliance = { group: 'notification', topic: ShopifyKafkaTopic.Compliance };
    const counted = (kind: 'ignored' | 'rejected', labels: Record<string, string> = {}) =>
      metricValue(app.registry, `shopwire_consumer_messages_${kind}_total`, {
        ...compliance,
        ...labels,
      });
    const ignoredBefore = await counted('ignored', { reason: 'shop' });
    const rejectedBefore = await counted('rejected', { reason: 'envelope' });
    // A webhook without its envelope headers cannot be attributed to a shop: dead-lettered, with why.
    await producer.send({
      topic: ShopifyKafkaTopic.Compliance,
      acks: -1,
      messages: [{ key: shop, value: '{"shop_id":1}' }],
    });
    // Not a privacy webhook: nothing for notification, counted as ignored by its family.
    await produceCompliance(producer, shop, 'shop/update', '{"id":1}');
    await produceCompliance(
      producer,
      shop,
      'app/uninstalled',
      `{"id":1,"domain":"${shop}","myshopify_domain":"${shop}"}`,
    );
    await waitFor(
      async () =>
        (await app.get(`/notifications/privacy-requests?shop=${shop}`)).json().requests.length ===
        3,
      'uninstall recorded',
    );
    // Counted once their chunk's handler resolved (the same partition: key = shop domain).
    await waitFor(
      async () =>
        (await counted('ignored', { reason: 'shop' })) === ignoredBefore + 1 &&
        (await counted('rejected', { reason: 'envelope' })) === rejectedBefore + 1,
      'the webhook without envelope rejected and shop/update ignored',
    );
    await produceEvents(producer, [orderEvent(DomainTopic.OrderAccepted, shop, orderData())]);
    await waitFor(async () => (await statuses(shop)).cancelled === 1, 'new intent cancelled');
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailsOf(shop)).toHaveLength(2);
  });

  it('needs a bearer token and a valid shop', async () => {
    expect((await app.get(`/notifications?shop=${merchantShop}`, null)).statusCode).toBe(401);
    expect((await app.get('/notifications?shop=evil.example.com')).statusCode).toBe(400);
    expect((await app.get('/health/live', null)).statusCode).toBe(200);
    const metrics = await app.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(
      'shopwire_circuit_breaker_state{breaker="smtp",service="notification"}',
    );
    // The consumer's series are the transport's, labelled by group; none of the service's own.
    expect(metrics.body).toMatch(
      /^shopwire_consumer_messages_processed_total\{[^}]*group="notification"/m,
    );
    expect(metrics.body).not.toContain('shopwire_notification_consumer_');
  });
});
