import { ShopifyKafkaTopic } from '@shopwire/contracts';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  itemWebhook,
  levelWebhook,
  produceOrderEvents,
  produceWebhooks,
  resetSchema,
  startApp,
  startGroupAtEnd,
  testKafka,
  uniqueShop,
  waitFor,
  type RunningApp,
  type Webhook,
} from './inventory-harness';

const groupId = `inventory-api-it-${randomUUID()}`;
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let inventory: RunningApp;
const shop = uniqueShop();

const allInboxed = (ids: string[]) => async () =>
  Number(
    (
      await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM inventory.inbox WHERE event_id = ANY($1)',
        [ids],
      )
    ).rows[0].n,
  ) === ids.length;

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  inventory = await startApp(groupId);
  // Items 101–105 at locations 1 and 2 (item 105 only at 1); SKUs S-101…; one order of S-101.
  const webhooks: Webhook[] = [];
  for (let item = 101; item <= 105; item++) {
    webhooks.push(itemWebhook(shop, String(item), `S-${item}`, '2026-11-27T09:00:00Z'));
    webhooks.push(levelWebhook(shop, String(item), '1', item - 90, '2026-11-27T09:00:00Z'));
    if (item < 105) webhooks.push(levelWebhook(shop, String(item), '2', 1, '2026-11-27T09:00:00Z'));
  }
  const ids = await produceWebhooks(producer, ShopifyKafkaTopic.Inventory, webhooks);
  ids.push(
    ...(await produceOrderEvents(producer, [
      { kind: 'accepted', shop, orderId: '77', lines: [{ sku: 'S-101', quantity: 3 }] },
    ])),
  );
  await waitFor(allInboxed(ids), 'fixtures applied');
});

afterAll(async () => {
  await inventory?.close();
  await producer?.disconnect();
  await db?.end();
});

describe('levels API', () => {
  it('lists an item at every location with committed and sellable', async () => {
    const response = await inventory.get(`/levels/by-item?shop=${shop}&inventory_item_id=101`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      levels: [
        expect.objectContaining({
          location_id: '1',
          sku: 'S-101',
          available: 11,
          committed: 3,
          sellable: 8,
        }),
        expect.objectContaining({
          location_id: '2',
          sku: 'S-101',
          available: 1,
          committed: 3,
          sellable: -2,
          low: true,
        }),
      ],
    });
  });

  it('finds levels by SKU, and nothing for another shop', async () => {
    const mine = await inventory.get(`/levels/by-sku?shop=${shop}&sku=S-104`);
    expect(mine.json()).toEqual({
      levels: [
        expect.objectContaining({ inventory_item_id: '104', location_id: '1', available: 14 }),
        expect.objectContaining({ inventory_item_id: '104', location_id: '2', available: 1 }),
      ],
    });
    const theirs = await inventory.get(`/levels/by-sku?shop=${uniqueShop()}&sku=S-104`);
    expect(theirs.json()).toEqual({ levels: [] });
  });

  it('pages through a location by item id', async () => {
    const first = await inventory.get(`/levels/by-location?shop=${shop}&location_id=1&limit=3`);
    const page1 = first.json() as { levels: { inventory_item_id: string }[]; next_after: string };
    expect(page1.levels.map((l) => l.inventory_item_id)).toEqual(['101', '102', '103']);
    expect(page1.next_after).toBe('103');
    const second = await inventory.get(
      `/levels/by-location?shop=${shop}&location_id=1&limit=3&after=${page1.next_after}`,
    );
    expect(second.json()).toEqual({
      levels: [
        expect.objectContaining({ inventory_item_id: '104' }),
        expect.objectContaining({ inventory_item_id: '105' }),
      ],
      next_after: null,
    });
  });

  it('needs a bearer token and a valid shop', async () => {
    expect((await inventory.get(`/levels/by-sku?shop=${shop}&sku=S-101`, null)).statusCode).toBe(
      401,
    );
    expect(
      (await inventory.get(`/levels/by-sku?shop=${shop}&sku=S-101`, 'wrong-token-0123456789'))
        .statusCode,
    ).toBe(401);
    const bad = await inventory.get('/levels/by-item?shop=evil.example.com&inventory_item_id=x');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      message: ['shop must be a *.myshopify.com domain', 'inventory_item_id must be a Shopify id'],
    });
  });

  it('serves OpenAPI, health and metrics without a token', async () => {
    const docs = await inventory.get('/docs-json', null);
    expect(Object.keys((docs.json() as { paths: object }).paths)).toEqual(
      expect.arrayContaining(['/levels/by-item', '/levels/by-sku', '/levels/by-location']),
    );
    const ready = await inventory.get('/health/ready', null);
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      info: {
        postgres: { status: 'up' },
        'kafka-consumer': { status: 'up' },
        'outbox-relay': { status: 'up' },
      },
    });
    const metrics = await inventory.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('shopwire_inventory_events_total');
  });
});

describe('privacy', () => {
  it('records redact and data requests as done and marks an uninstalled shop inactive', async () => {
    const compliance = (shopifyTopic: string, body: string): Webhook => ({
      shop,
      shopifyTopic,
      body,
      resourceId: null,
    });
    const ids = await produceWebhooks(producer, ShopifyKafkaTopic.Compliance, [
      compliance(
        'customers/redact',
        '{"shop_id":1,"shop_domain":"x","customer":{"id":9007199254740993,"email":"a@b.c","phone":null},"orders_to_redact":[1]}',
      ),
      compliance(
        'customers/data_request',
        '{"shop_id":1,"customer":{"id":1},"data_request":{"id":5}}',
      ),
      compliance('app/uninstalled', '{"id":1,"domain":"x"}'),
    ]);
    await waitFor(allInboxed(ids), 'compliance webhooks applied');
    const requests = await db.query(
      'SELECT shopify_topic, outcome FROM inventory.privacy_requests WHERE shop_domain = $1 ORDER BY shopify_topic',
      [shop],
    );
    expect(requests.rows).toEqual([
      { shopify_topic: 'customers/data_request', outcome: expect.stringMatching(/^completed/) },
      { shopify_topic: 'customers/redact', outcome: expect.stringMatching(/^completed/) },
    ]);
    const shops = await db.query(
      'SELECT active, uninstalled_at FROM inventory.shops WHERE shop_domain = $1',
      [shop],
    );
    expect(shops.rows).toEqual([{ active: false, uninstalled_at: expect.any(Date) }]);
    // Nothing personal was stored anywhere in the schema.
    const dump = await db.query(
      `SELECT string_agg(t::text, ' ') AS all FROM (
         SELECT row_to_json(p)::text AS t FROM inventory.privacy_requests p
         UNION ALL SELECT row_to_json(s)::text FROM inventory.shops s) x`,
    );
    expect(dump.rows[0].all).not.toMatch(/a@b\.c|9007199254740993/);
  });
});
