import { deadLetterTopicOf, EnvelopeHeader, ShopifyKafkaTopic } from '@shopwire/contracts';
import { FailureHeader } from '@shopwire/kafka';
import { collectMessages, headerValue, topicPositions } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  orderBody,
  prepareTopic,
  produceCompliance,
  produceWebhooks,
  resetSchema,
  startApp,
  testKafka,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './order-harness';

// Real Kafka and Postgres: compliance webhooks go through shopify.compliance.v1 like the
// gateway writes them, on the same consumer group as the orders.
const groupId = `order-it-${randomUUID()}`;
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let order: RunningApp;

const inboxed = async (ids: string[]) =>
  Number(
    (
      await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM orders.inbox WHERE event_id = ANY($1)',
        [ids],
      )
    ).rows[0].n,
  );

/** Every row of every `orders.*` table (outbox values decoded) that mentions `needle`. */
async function rowsMentioning(needle: string): Promise<string[]> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'orders' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const hits: string[] = [];
  for (const { table_name } of tables.rows) {
    const text =
      table_name === 'outbox'
        ? `convert_from(t.value, 'UTF8') || t.headers::text || t.key`
        : 't::text';
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM orders."${table_name}" t WHERE ${text} ILIKE '%' || $1 || '%'`,
      [needle],
    );
    if (rows[0].n !== '0') hits.push(`${table_name}:${rows[0].n}`);
  }
  return hits;
}

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await prepareTopic(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  order = await startApp(groupId);
});

afterAll(async () => {
  await order?.close();
  await producer?.disconnect();
  await db?.end();
});

describe('privacy for the order service', () => {
  const shop = uniqueShop();
  const otherShop = uniqueShop();
  const jon = {
    id: '820982911946154600',
    email: `jon-${randomUUID().slice(0, 8)}@example.com`,
    firstName: 'Jonathan',
    lastName: `Snowfield${randomUUID().slice(0, 6)}`,
    phone: `+1555${Math.floor(Math.random() * 1e7)}`,
  };
  const ann = {
    id: '820982911946154601',
    email: `ann-${randomUUID().slice(0, 8)}@example.com`,
    firstName: 'Ann',
    lastName: 'Other',
    phone: '+15550000000',
  };
  const jonOrders = ['5100000000000000001', '5100000000000000002'];
  const annOrder = '5100000000000000003';
  const jonElsewhere = '5100000000000000004';

  beforeAll(async () => {
    const hooks = [
      ...jonOrders.map((id) => ({ shop, id, customer: jon })),
      { shop, id: annOrder, customer: ann },
      { shop: otherShop, id: jonElsewhere, customer: jon },
    ];
    const ids = await produceWebhooks(
      producer,
      hooks.map((h) => ({
        shop: h.shop,
        orderId: h.id,
        topic: 'orders/create',
        body: orderBody({
          id: h.id,
          updatedAt: '2026-10-01T00:00:00Z',
          customer: h.customer,
          lineItemIds: ['77'],
        }),
      })),
    );
    await waitFor(async () => (await inboxed(ids)) === ids.length, 'orders stored');
    // The relay has published (and marked) their events: the retained rows still hold PII.
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM orders.outbox WHERE sent_at IS NULL`)).rowCount === 0,
      'events published',
    );
  });

  it('builds a data export of the customer’s orders for customers/data_request', async () => {
    const [webhookId] = await produceCompliance(producer, [
      {
        shop,
        topic: 'customers/data_request',
        key: `${shop}/${jon.id}`,
        body: `{"shop_id":954889,"shop_domain":"${shop}","orders_requested":[${jonOrders.join(',')}],"customer":{"id":${jon.id},"email":"${jon.email}","phone":"${jon.phone}"},"data_request":{"id":9999}}`,
      },
    ]);
    await waitFor(async () => (await inboxed([webhookId])) === 1, 'data request handled');
    const list = await order.inject(`/privacy/exports?shop=${shop}&customer_id=${jon.id}`);
    expect(list.statusCode).toBe(200);
    const exports = list.json() as { id: string; order_count: number; data_request_id: string }[];
    expect(exports).toHaveLength(1);
    expect(exports[0]).toMatchObject({
      order_count: 2,
      data_request_id: '9999',
      customer_id: jon.id,
    });
    const one = await order.inject(`/privacy/exports/${exports[0].id}`);
    expect(one.statusCode).toBe(200);
    const body = one.json() as {
      export: {
        orders: {
          id: string;
          email: string;
          customer: { first_name: string };
          line_items: unknown[];
        }[];
      };
    };
    expect(body.export.orders.map((o) => o.id)).toEqual(jonOrders);
    expect(body.export.orders[0]).toMatchObject({
      email: jon.email,
      customer: { first_name: 'Jonathan' },
    });
    expect(body.export.orders[0].line_items).toHaveLength(1);
    expect((await order.inject(`/privacy/exports/${exports[0].id}`, null)).statusCode).toBe(401);
    expect((await order.inject(`/privacy/exports/${randomUUID()}`)).statusCode).toBe(404);
    expect((await order.inject(`/privacy/exports?shop=${shop}&customer_id=abc`)).statusCode).toBe(
      400,
    );
  });

  it('customers/redact leaves no personal data of that customer in orders.* and the API returns none', async () => {
    expect((await rowsMentioning(jon.email)).length).toBeGreaterThan(0); // the check can fail
    const body = `{"shop_id":954889,"shop_domain":"${shop}","customer":{"id":${jon.id},"email":"${jon.email}","phone":"${jon.phone}"},"orders_to_redact":[${jonOrders.join(',')}]}`;
    const webhookId = randomUUID();
    // Delivered twice: the second is a duplicate and does nothing.
    await produceCompliance(producer, [
      { shop, topic: 'customers/redact', key: `${shop}/${jon.id}`, body, webhookId },
      { shop, topic: 'customers/redact', key: `${shop}/${jon.id}`, body, webhookId },
    ]);
    await waitFor(async () => (await inboxed([webhookId])) === 1, 'redact handled');

    for (const needle of [jon.email, jon.lastName, jon.phone]) {
      // Only the other shop's order and its event (a different merchant's copy) still hold them.
      expect(await rowsMentioning(needle)).toEqual(['orders:1', 'outbox:1']);
    }
    const inOtherShop = await db.query(
      'SELECT customer_email FROM orders.orders WHERE shop_domain = $1',
      [otherShop],
    );
    expect(inOtherShop.rows).toEqual([{ customer_email: jon.email }]);
    for (const id of jonOrders) {
      const response = await order.inject(`/orders/${id}?shop=${shop}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        email: null,
        customer: { id: jon.id, email: null, first_name: null, last_name: null, phone: null },
      });
      expect(response.body).not.toContain(jon.email);
    }
    const list = await order.inject(`/orders?shop=${shop}`);
    expect(list.body).not.toContain(jon.email);
    expect(list.body).toContain(ann.email); // another customer is untouched
    expect(
      (await order.inject(`/privacy/exports?shop=${shop}&customer_id=${jon.id}`)).json(),
    ).toEqual([]);
    const requests = await db.query(
      `SELECT kind, customer_id, rows_affected, completed_at IS NOT NULL AS completed FROM orders.privacy_requests WHERE shop_domain = $1 ORDER BY id`,
      [shop],
    );
    expect(requests.rows).toEqual([
      { kind: 'customers/data_request', customer_id: jon.id, rows_affected: 2, completed: true },
      // 2 orders + 1 export erased
      { kind: 'customers/redact', customer_id: jon.id, rows_affected: 3, completed: true },
    ]);
  });

  it('a compliance request that cannot be read waits in the DLQ with its reason, not dropped', async () => {
    const shop = uniqueShop();
    const dlq = deadLetterTopicOf(ShopifyKafkaTopic.Compliance);
    const start = await topicPositions(kafka, dlq);
    const body = '{"shop_domain": ';
    const [bad] = await produceCompliance(producer, [{ shop, topic: 'customers/redact', body }]);
    const dead = await collectMessages(kafka, dlq, {
      from: start,
      // (every service reads the compliance topic: this suite's group only)
      filter: (m) =>
        headerValue(m, FailureHeader.ConsumerGroup) === groupId &&
        headerValue(m, EnvelopeHeader.WebhookId) === bad,
      done: (found) => found.length >= 1,
    });
    expect(dead).toHaveLength(1);
    expect(String(dead[0]!.message.value)).toBe(body);
    expect(headerValue(dead[0]!.message, FailureHeader.DeadLetterReason)).toBe('malformed:json');
    expect(headerValue(dead[0]!.message, FailureHeader.ErrorMessage)).toBe(
      'payload is not valid JSON',
    );
    expect(await inboxed([bad])).toBe(0);
  });

  it('app/uninstalled marks the shop inactive; its orders are still recorded; shop/redact erases all its PII', async () => {
    expect((await order.inject(`/shops/${otherShop}`)).json()).toMatchObject({
      active: true,
      uninstalled_at: null,
    });
    const [uninstalled] = await produceCompliance(producer, [
      {
        shop: otherShop,
        topic: 'app/uninstalled',
        body: `{"id":954890,"domain":"${otherShop}","myshopify_domain":"${otherShop}"}`,
      },
    ]);
    await waitFor(async () => (await inboxed([uninstalled])) === 1, 'uninstall handled');
    const state = (await order.inject(`/shops/${otherShop}`)).json() as {
      active: boolean;
      uninstalled_at: string;
    };
    expect(state.active).toBe(false);
    expect(state.uninstalled_at).not.toBeNull();

    const late = '5100000000000000005';
    const [lateHook] = await produceWebhooks(producer, [
      {
        shop: otherShop,
        orderId: late,
        topic: 'orders/create',
        body: orderBody({ id: late, updatedAt: '2026-10-02T00:00:00Z', customer: ann }),
      },
    ]);
    await waitFor(async () => (await inboxed([lateHook])) === 1, 'late order handled');
    expect((await order.inject(`/orders/${late}?shop=${otherShop}`)).statusCode).toBe(200);

    const [redact] = await produceCompliance(producer, [
      {
        shop: otherShop,
        topic: 'shop/redact',
        body: `{"shop_id":954890,"shop_domain":"${otherShop}"}`,
      },
    ]);
    await waitFor(async () => (await inboxed([redact])) === 1, 'shop redact handled');
    const pii = await db.query(
      `SELECT count(*) AS n FROM orders.orders WHERE shop_domain = $1
       AND (email IS NOT NULL OR customer_email IS NOT NULL OR customer_first_name IS NOT NULL
            OR customer_last_name IS NOT NULL OR customer_phone IS NOT NULL)`,
      [otherShop],
    );
    expect(pii.rows[0].n).toBe('0');
    expect(await rowsMentioning(jon.email)).toEqual([]);
    const outbox = await db.query(
      `SELECT count(*) AS n FROM orders.outbox WHERE key LIKE $1 AND convert_from(value, 'UTF8') LIKE '%@example.com%'`,
      [`${otherShop}/%`],
    );
    expect(outbox.rows[0].n).toBe('0');
    expect((await order.inject(`/shops/${otherShop}`)).json()).toMatchObject({ active: false });
  });
});

describe('order list filters', () => {
  const shop = uniqueShop();
  const orders = [
    {
      id: '6100000000000000001',
      financialStatus: 'paid',
      fulfillmentStatus: 'fulfilled',
      createdAt: '2026-09-01T10:00:00Z',
    },
    {
      id: '6100000000000000002',
      financialStatus: 'paid',
      fulfillmentStatus: null,
      createdAt: '2026-09-05T10:00:00Z',
    },
    {
      id: '6100000000000000003',
      financialStatus: 'pending',
      fulfillmentStatus: null,
      createdAt: '2026-09-10T10:00:00Z',
    },
    {
      id: '6100000000000000004',
      financialStatus: 'refunded',
      fulfillmentStatus: null,
      createdAt: '2026-09-15T10:00:00-04:00',
      cancelledAt: '2026-09-16T00:00:00Z',
    },
  ];

  beforeAll(async () => {
    const ids = await produceWebhooks(
      producer,
      orders.map((o) => ({
        shop,
        orderId: o.id,
        topic: 'orders/create',
        body: orderBody({ ...o, updatedAt: '2026-09-20T00:00:00Z' }),
      })),
    );
    await waitFor(async () => (await inboxed(ids)) === ids.length, 'filter fixtures stored');
  });

  const ids = async (query: string) => {
    const response = await order.inject(`/orders?shop=${shop}${query}`);
    expect(response.statusCode).toBe(200);
    return (response.json() as { orders: { id: string }[] }).orders.map((o) => o.id.slice(-1));
  };

  it('filters by financial and fulfillment status (null = none), cancellation and created range', async () => {
    expect(await ids('&financial_status=paid')).toEqual(['1', '2']);
    expect(await ids('&fulfillment_status=fulfilled')).toEqual(['1']);
    expect(await ids('&fulfillment_status=null')).toEqual(['2', '3', '4']);
    expect(await ids('&cancelled=true')).toEqual(['4']);
    expect(await ids('&cancelled=false')).toEqual(['1', '2', '3']);
    expect(await ids('&created_from=2026-09-05T10:00:00Z&created_to=2026-09-15T14:00:00Z')).toEqual(
      ['2', '3'],
    );
    expect(await ids('&created_from=2026-09-15T14:00:00Z')).toEqual(['4']);
    expect(await ids('&financial_status=paid&cancelled=false&limit=1')).toEqual(['1']);
  });

  it('pages through a filtered list with the cursor', async () => {
    const first = (
      await order.inject(`/orders?shop=${shop}&fulfillment_status=null&limit=2`)
    ).json() as {
      orders: { id: string }[];
      next_cursor: string;
    };
    expect(first.orders.map((o) => o.id.slice(-1))).toEqual(['2', '3']);
    expect(await ids(`&fulfillment_status=null&limit=2&cursor=${first.next_cursor}`)).toEqual([
      '4',
    ]);
  });

  it('rejects bad filters with 400', async () => {
    for (const query of [
      '&cancelled=maybe',
      '&created_from=yesterday',
      '&financial_status=Paid%20!',
    ]) {
      expect((await order.inject(`/orders?shop=${shop}${query}`)).statusCode).toBe(400);
    }
  });
});
