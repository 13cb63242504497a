import { DomainTopic, ShopifyKafkaTopic } from '@shopwire/contracts';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  metricValue,
  orderData,
  orderEvent,
  produceEvents,
  produceWebhook,
  resetSchema,
  startApp,
  startGroupAtEnd,
  testKafka,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './sync-harness';

// Real Kafka, Postgres and the simulator's ERP stand-in (the built sim as a child process).
interface ErpRecord {
  orderId: string;
  idempotencyKey: string | null;
  duplicates: number;
  calls: { at: string; answer: number }[];
  body: { order?: { email?: string | null } };
}

const groupId = `sync-it-${randomUUID()}`;
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let sim: SimulatorProcess;
let app: RunningApp;

const erpOrders = async (shop: string): Promise<ErpRecord[]> =>
  (await sim.call<ErpRecord[]>('GET', `/sim/erp/orders?shop=${shop}`)).json;

const syncOf = async (shop: string, orderId: string) => {
  const response = await app.get(`/sync/orders/${orderId}?shop=${shop}`);
  return response.statusCode === 200 ? response.json() : null;
};

// test-runs-alone: its sync service reads every order event on the shared domain topic; beside the
// console's and the pipeline suites, their shops' orders reached its ERP worker too, failed
// against an ERP that is not theirs and opened the erp breaker its own checks wait through.
beforeAll(async () => {
  await resetSchema();
  sim = await startSimulatorProcess();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  app = await startApp(groupId, {
    ERP_URL: `${sim.baseUrl}/sim/erp/orders`,
    // The harness retries every ~1 s (cap 1 s, breaker reset 1 s) so that recovery is quick; at
    // the default of 20 attempts an order gives up after ~20 s of outage, which a loaded machine
    // reaches before the outage test has checked the breaker. Giving up is not what it tests.
    SYNC_MAX_ATTEMPTS: '1000',
  });
});

afterAll(async () => {
  await app?.close();
  await producer?.disconnect();
  await db?.end();
  await sim?.stop();
});

afterEach(async () => {
  await sim.call('POST', '/sim/erp/faults', {});
});

describe('sync service', () => {
  it('calls the ERP once per order when every accepted event arrives three times', async () => {
    const shop = uniqueShop();
    const orders = [orderData(), orderData(), orderData({ id: '9007199254740993' })];
    const events = orders.map((o) => orderEvent(DomainTopic.OrderAccepted, shop, o));
    await produceEvents(producer, [...events, ...events, ...events]);

    for (const o of orders)
      await waitFor(
        async () => (await syncOf(shop, o.id))?.status === 'synced',
        `order ${o.id} synced`,
      );
    await produceEvents(producer, events);
    await new Promise((r) => setTimeout(r, 1500));

    const received = await erpOrders(shop);
    expect(received.map((r) => r.orderId).sort()).toEqual(orders.map((o) => o.id).sort());
    for (const record of received) {
      expect(record.duplicates).toBe(0);
      expect(record.calls).toHaveLength(1);
      expect(record.idempotencyKey).toBe(`${shop}/${record.orderId}`);
    }
    // 2^53 + 1 arrives exact.
    expect(received.some((r) => r.orderId === '9007199254740993')).toBe(true);
    expect(await syncOf(shop, orders[0].id)).toMatchObject({
      status: 'synced',
      attempts: 1,
      erp_status: 201,
      last_error: null,
      synced_at: expect.any(String),
    });
    const synced = await app.get(`/sync/orders?shop=${shop}&status=synced`);
    expect(synced.json().orders).toHaveLength(3);
    expect(JSON.stringify(synced.json())).not.toContain('@example.com');
  });

  it('honours a 429 Retry-After of "1.5" as 1.5 seconds', async () => {
    const shop = uniqueShop();
    const order = orderData();
    await sim.call('POST', '/sim/erp/faults', { status429Rate: 1, retryAfter: '1.5' });
    await produceEvents(producer, [orderEvent(DomainTopic.OrderAccepted, shop, order)]);
    await waitFor(async () => (await callsFor(shop, order.id)).length >= 2, 'two throttled calls');
    await sim.call('POST', '/sim/erp/faults', {});
    await waitFor(async () => (await syncOf(shop, order.id))?.status === 'synced', 'synced');

    const [record] = await erpOrders(shop);
    const calls = await callsFor(shop, order.id);
    const times = calls.map((c) => Date.parse(c.at));
    expect(calls.map((c) => c.answer).slice(0, 2)).toEqual([429, 429]);
    expect(calls[calls.length - 1].answer).toBe(201);
    for (let i = 1; i < times.length; i++)
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1450);
    expect(record.duplicates).toBe(0);
  });

  it('leaves an order failed while the ERP is down and syncs it once after recovery', async () => {
    const shop = uniqueShop();
    const orders = [orderData(), orderData(), orderData(), orderData()];
    await sim.call('POST', '/sim/erp/faults', { down: true });
    await produceEvents(
      producer,
      orders.map((o) => orderEvent(DomainTopic.OrderAccepted, shop, o)),
    );
    await waitFor(async () => (await syncOf(shop, orders[0].id))?.status === 'failed', 'failed');
    const failed = await syncOf(shop, orders[0].id);
    expect(failed.attempts).toBeGreaterThanOrEqual(1);
    expect(failed.last_error).toEqual(expect.any(String));
    expect(failed.synced_at).toBeNull();
    await waitFor(
      async () => (await app.get('/health/ready', null)).json().info?.erp?.state === 'open',
      'erp breaker open',
    );
    expect(
      await metricValue(app.registry, 'shopwire_circuit_breaker_state', { breaker: 'erp' }),
    ).toBe(2);
    const listed = await app.get(`/sync/orders?shop=${shop}&status=failed`);
    expect(listed.json().orders.length).toBeGreaterThanOrEqual(1);

    await sim.call('POST', '/sim/erp/faults', {});
    for (const o of orders)
      await waitFor(
        async () => (await syncOf(shop, o.id))?.status === 'synced',
        `order ${o.id} synced after recovery`,
      );
    const received = await erpOrders(shop);
    expect(received).toHaveLength(4);
    for (const record of received) expect(record.duplicates).toBe(0);
  });

  it('mirrors products, newest update winning', async () => {
    const shop = uniqueShop();
    const product = (title: string, updatedAt: string) =>
      `{"id":9007199254740995,"title":"${title}","handle":"mug","status":"active","updated_at":"${updatedAt}",` +
      `"variants":[{"id":9007199254740997,"sku":"MUG-1","price":"12.50","inventory_item_id":9007199254740999}]}`;
    await produceWebhook(
      producer,
      ShopifyKafkaTopic.Products,
      shop,
      'products/update',
      product('New', '2026-11-02T00:00:00Z'),
    );
    await produceWebhook(
      producer,
      ShopifyKafkaTopic.Products,
      shop,
      'products/update',
      product('Old', '2026-11-01T00:00:00Z'),
    );
    await waitFor(async () => {
      const { rows } = await db.query(
        'SELECT stale_updates_skipped FROM sync.products WHERE shop_domain = $1',
        [shop],
      );
      return rows[0]?.stale_updates_skipped === 1;
    }, 'both applied');
    const { rows } = await db.query(
      `SELECT p.id::text, p.title, v.id::text AS variant_id, v.sku, v.price::text, v.inventory_item_id::text
         FROM sync.products p JOIN sync.product_variants v USING (shop_domain) WHERE p.shop_domain = $1`,
      [shop],
    );
    expect(rows).toEqual([
      {
        id: '9007199254740995',
        title: 'New',
        variant_id: '9007199254740997',
        sku: 'MUG-1',
        price: '12.50',
        inventory_item_id: '9007199254740999',
      },
    ]);
  });

  it('counts what it ignores by webhook family and dead-letters what is not an event', async () => {
    const shop = uniqueShop();
    const products = { group: 'sync', topic: ShopifyKafkaTopic.Products };
    const ignored = () =>
      metricValue(app.registry, 'shopwire_consumer_messages_ignored_total', {
        ...products,
        reason: 'discounts',
      });
    const rejected = () =>
      metricValue(app.registry, 'shopwire_consumer_messages_rejected_total', products);
    const [ignoredBefore, rejectedBefore] = [await ignored(), await rejected()];
    // A webhook without its envelope headers cannot be attributed to a shop: refused, with why.
    await producer.send({
      topic: ShopifyKafkaTopic.Products,
      acks: -1,
      messages: [{ key: shop, value: '{"id":1}' }],
    });
    // Discounts share the products topic; only the cache reads them.
    await produceWebhook(
      producer,
      ShopifyKafkaTopic.Products,
      shop,
      'discounts/create',
      '{"admin_graphql_api_id":"gid://shopify/DiscountAutomaticNode/1"}',
    );
    // Counted once the chunk's handler resolved (the same partition: key = shop domain).
    await waitFor(
      async () =>
        (await ignored()) === ignoredBefore + 1 && (await rejected()) === rejectedBefore + 1,
      'the webhook without envelope rejected and discounts/create ignored',
    );
    expect(
      await metricValue(app.registry, 'shopwire_consumer_messages_processed_total', products),
    ).toBeGreaterThan(0);
  });

  it('scopes a guest redact to its orders at the ERP, erases exports, and keeps a replay erased', async () => {
    const shop = uniqueShop();
    const guest = orderData({ customer: null });
    const other = orderData();
    await produceEvents(producer, [
      orderEvent(DomainTopic.OrderAccepted, shop, guest),
      orderEvent(DomainTopic.OrderAccepted, shop, other),
    ]);
    for (const o of [guest, other])
      await waitFor(async () => (await syncOf(shop, o.id))?.status === 'synced', `${o.id} synced`);
    const email = guest.email!;
    await produceWebhook(
      producer,
      ShopifyKafkaTopic.Compliance,
      shop,
      'customers/data_request',
      `{"shop_id":1,"shop_domain":"${shop}","customer":{"email":"${email}"},"orders_requested":[${guest.id}],"data_request":{"id":55}}`,
    );
    await waitFor(
      async () =>
        (await app.get(`/sync/privacy-requests?shop=${shop}`)).json().requests.length === 1,
      'export made',
    );
    expect(JSON.stringify((await app.get(`/sync/privacy-requests?shop=${shop}`)).json())).toContain(
      email,
    );

    // A guest: no customer id, only the email and the orders Shopify names.
    await produceWebhook(
      producer,
      ShopifyKafkaTopic.Compliance,
      shop,
      'customers/redact',
      `{"shop_id":1,"shop_domain":"${shop}","customer":{"email":"${email}"},"orders_to_redact":[${guest.id}]}`,
    );
    await waitFor(
      async () =>
        (await sim.call<unknown[]>('GET', `/sim/erp/redactions?shop=${shop}`)).json.length === 1,
      'ERP told to redact',
    );
    expect(
      (await sim.call<unknown[]>('GET', `/sim/erp/redactions?shop=${shop}`)).json[0],
    ).toMatchObject({ scope: 'customer', customerId: null, orderIds: [guest.id], ordersErased: 1 });
    const held = Object.fromEntries((await erpOrders(shop)).map((r) => [r.orderId, r.body]));
    expect(JSON.stringify(held[guest.id])).not.toContain(email);
    // Never shop-wide: the other customer's order at the ERP is untouched.
    expect(held[other.id].order?.email).toBe(other.email);
    const requests = JSON.stringify((await app.get(`/sync/privacy-requests?shop=${shop}`)).json());
    expect(requests).not.toContain(email);

    // The guest's accepted event replayed (a new event id, as a DLQ replay or backfill makes):
    // recorded without personal data.
    const replayShop = shop;
    const again = orderData({ email, customer: null });
    await produceEvents(producer, [orderEvent(DomainTopic.OrderAccepted, replayShop, again)]);
    await waitFor(async () => (await syncOf(shop, again.id))?.status === 'synced', 'replay synced');
    const { rows } = await db.query(
      'SELECT payload, email_hash FROM sync.order_syncs WHERE shop_domain = $1 AND order_id = $2',
      [shop, again.id],
    );
    expect(rows[0].email_hash).toBeNull();
    expect(JSON.stringify(rows[0].payload)).not.toContain(email);
    const [atErp] = (await erpOrders(shop)).filter((r) => r.orderId === again.id);
    expect(JSON.stringify(atErp.body)).not.toContain(email);
  });

  it('erases the customer locally, tells the ERP, and stops after uninstall', async () => {
    const shop = uniqueShop();
    const order = orderData();
    await produceEvents(producer, [orderEvent(DomainTopic.OrderAccepted, shop, order)]);
    await waitFor(async () => (await syncOf(shop, order.id))?.status === 'synced', 'synced');
    const customer = order.customer!;
    await produceWebhook(
      producer,
      ShopifyKafkaTopic.Compliance,
      shop,
      'customers/redact',
      `{"shop_id":1,"shop_domain":"${shop}","customer":{"id":${customer.id},"email":"${customer.email}"},"orders_to_redact":[${order.id}]}`,
    );
    await waitFor(
      async () =>
        (await sim.call<unknown[]>('GET', `/sim/erp/redactions?shop=${shop}`)).json.length === 1,
      'ERP told to redact',
    );
    expect(
      (await sim.call<unknown[]>('GET', `/sim/erp/redactions?shop=${shop}`)).json[0],
    ).toMatchObject({
      shopDomain: shop,
      scope: 'customer',
      customerId: customer.id,
      orderIds: [order.id],
    });
    const [held] = await erpOrders(shop);
    expect(JSON.stringify(held.body)).not.toContain(customer.email!);
    const { rows } = await db.query(
      'SELECT payload, customer_id, email_hash, redacted_at FROM sync.order_syncs WHERE shop_domain = $1',
      [shop],
    );
    expect(rows[0]).toMatchObject({ customer_id: null, email_hash: null });
    expect(rows[0].payload.email).toBeNull();
    expect(rows[0].payload.customer).toBeNull();
    expect(JSON.stringify(rows[0].payload)).not.toContain(customer.email!);
    const jobs = await db.query(`SELECT status FROM sync.erp_jobs WHERE shop_domain = $1`, [shop]);
    expect(jobs.rows).toEqual([{ status: 'done' }]);

    await produceWebhook(
      producer,
      ShopifyKafkaTopic.Compliance,
      shop,
      'app/uninstalled',
      `{"id":1,"domain":"${shop}","myshopify_domain":"${shop}"}`,
    );
    await waitFor(
      async () =>
        (await app.get(`/sync/privacy-requests?shop=${shop}`)).json().requests.length === 2,
      'uninstall recorded',
    );
    const late = orderData();
    await produceEvents(producer, [orderEvent(DomainTopic.OrderAccepted, shop, late)]);
    await waitFor(async () => (await syncOf(shop, late.id))?.status === 'cancelled', 'cancelled');
    expect((await erpOrders(shop)).map((r) => r.orderId)).toEqual([order.id]);
  });

  it('needs a bearer token and answers 404 for unknown orders', async () => {
    const shop = uniqueShop();
    expect((await app.get(`/sync/orders?shop=${shop}`, null)).statusCode).toBe(401);
    expect((await app.get(`/sync/orders/123?shop=${shop}`)).statusCode).toBe(404);
    expect((await app.get(`/sync/orders/abc?shop=${shop}`)).statusCode).toBe(400);
  });
});

/** Every call the ERP got for the order, throttled ones included. */
async function callsFor(shop: string, orderId: string): Promise<{ at: string; answer: number }[]> {
  return (
    await sim.call<{ at: string; answer: number }[]>(
      'GET',
      `/sim/erp/calls?shop=${shop}&orderId=${orderId}`,
    )
  ).json;
}
