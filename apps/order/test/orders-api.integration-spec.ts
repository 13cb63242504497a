import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  orderBody,
  prepareTopic,
  produceWebhooks,
  resetSchema,
  startApp,
  testKafka,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './order-harness';

// Real Kafka (127.0.0.1:9092) and Postgres; start them with `npm run infra -- up`.
const groupId = `order-it-${randomUUID()}`;
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let order: RunningApp;

const inboxed = async (webhookIds: string[]): Promise<number> =>
  Number(
    (
      await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM orders.inbox WHERE event_id = ANY($1)',
        [webhookIds],
      )
    ).rows[0].n,
  );

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

describe('orders REST API', () => {
  const shop = uniqueShop();
  const ids = [
    '820982911946154508',
    '820982911946154509',
    '9007199254740993',
    '9223372036854775807',
    '12',
  ];

  beforeAll(async () => {
    const webhookIds = await produceWebhooks(
      producer,
      ids.map((id) => ({
        shop,
        orderId: id,
        body: orderBody({
          id,
          updatedAt: '2026-10-05T00:00:00Z',
          lineItemIds: ['866550311766439020'],
        }),
      })),
    );
    await waitFor(async () => (await inboxed(webhookIds)) === ids.length, 'API fixtures applied');
  });

  it('needs a valid bearer token', async () => {
    expect((await order.inject(`/orders?shop=${shop}`, null)).statusCode).toBe(401);
    expect((await order.inject(`/orders?shop=${shop}`, 'wrong-token-wrong-token')).statusCode).toBe(
      401,
    );
    expect((await order.inject(`/orders/12?shop=${shop}`, null)).statusCode).toBe(401);
  });

  it('returns one order with exact string ids, money and line items', async () => {
    const response = await order.inject(`/orders/820982911946154508?shop=${shop}`);
    expect(response.statusCode).toBe(200);
    // Checked on the raw body: the ids must be JSON strings, not numbers.
    expect(response.body).toContain('"id":"820982911946154508"');
    expect(response.body).toContain('"id":"866550311766439020"');
    expect(response.json()).toMatchObject({
      id: '820982911946154508',
      shop_domain: shop,
      total_price: '199.65',
      order_number: '1001',
      updated_at: '2026-10-05T00:00:00.000Z',
      line_items: [
        { id: '866550311766439020', variant_id: '866550311766439021', price: '99.50', quantity: 1 },
      ],
    });
  });

  it('answers 404 for an order of another shop or none, 400 for a bad shop or id', async () => {
    expect((await order.inject(`/orders/820982911946154508?shop=${uniqueShop()}`)).statusCode).toBe(
      404,
    );
    expect((await order.inject(`/orders/1?shop=${shop}`)).statusCode).toBe(404);
    expect((await order.inject('/orders/820982911946154508')).statusCode).toBe(400);
    expect(
      (await order.inject('/orders/820982911946154508?shop=evil.example.com')).statusCode,
    ).toBe(400);
    expect((await order.inject(`/orders/abc?shop=${shop}`)).statusCode).toBe(400);
    expect((await order.inject('/orders')).statusCode).toBe(400);
  });

  it('pages through the shop by ascending id with an opaque cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/orders?shop=${shop}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await order.inject(query);
      expect(response.statusCode).toBe(200);
      const page = response.json() as {
        orders: { id: string; line_items?: unknown }[];
        next_cursor: string | null;
      };
      expect(page.orders.length).toBeLessThanOrEqual(2);
      for (const o of page.orders) expect(o.line_items).toBeUndefined();
      seen.push(...page.orders.map((o) => o.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
  });

  it('validates limit and cursor', async () => {
    expect((await order.inject(`/orders?shop=${shop}&limit=0`)).statusCode).toBe(400);
    expect((await order.inject(`/orders?shop=${shop}&limit=251`)).statusCode).toBe(400);
    expect((await order.inject(`/orders?shop=${shop}&limit=abc`)).statusCode).toBe(400);
    expect((await order.inject(`/orders?shop=${shop}&cursor=bogus`)).statusCode).toBe(400);
    const all = (await order.inject(`/orders?shop=${shop}`)).json() as {
      orders: unknown[];
      next_cursor: null;
    };
    expect(all.orders).toHaveLength(5);
    expect(all.next_cursor).toBeNull();
  });

  it("finds an order by the name the shop shows, the operator's way to name it", async () => {
    const named = uniqueShop();
    const [webhookId] = await produceWebhooks(producer, [
      {
        shop: named,
        orderId: '820982911946154599',
        body: orderBody({
          id: '820982911946154599',
          name: '#1234',
          updatedAt: '2026-10-05T00:00:00Z',
        }),
      },
    ]);
    await waitFor(async () => (await inboxed([webhookId])) === 1, 'named order applied');
    const found = (await order.inject(`/orders?shop=${named}&name=%231234`)).json() as {
      orders: { id: string; name: string }[];
    };
    expect(found.orders.map((o) => [o.id, o.name])).toEqual([['820982911946154599', '#1234']]);
    const none = (await order.inject(`/orders?shop=${named}&name=%231001`)).json() as {
      orders: unknown[];
    };
    expect(none.orders).toEqual([]);
    // By the id it found, the order's journey through this service.
    const journal = (
      await order.inject(`/deliveries?shop=${named}&resourceId=820982911946154599`)
    ).json() as { items: { webhookId: string; outcome: string }[] };
    expect(journal.items.map((d) => [d.webhookId, d.outcome])).toEqual([[webhookId, 'applied']]);
  });

  it('serves health and metrics without a token', async () => {
    expect((await order.inject('/health/live', null)).statusCode).toBe(200);
    const ready = await order.inject('/health/ready', null);
    expect(ready.statusCode).toBe(200);
    const metrics = await order.inject('/metrics', null);
    expect(metrics.statusCode).toBe(200);
    for (const name of [
      'shopwire_consumer_messages_processed_total',
      'shopwire_consumer_messages_rejected_total',
      'shopwire_order_stale_updates_total',
      'shopwire_order_duplicate_events_total',
      'shopwire_consumer_handler_duration_seconds',
    ]) {
      expect(metrics.body).toContain(name);
    }
  });
});
