import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { createOrderClient, type order as orderApi } from '@shopwire/api-client';
import { attackCredentials, freePort } from '@shopwire/testing';
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

// The published client (libs/api-client, generated from openapi/order.json) against a real order
// service over HTTP, with a credential scoped to one shop and `orders:read`, as an internal team
// or the operator console would call it.
const groupId = `order-client-${randomUUID()}`;
const shop = uniqueShop();
const otherShop = uniqueShop();
const credentials = attackCredentials(otherShop, [
  { name: 'console', shops: [shop], scopes: ['orders:read'] },
]);
const ORDER_IDS = ['820982911946154508', '9223372036854775807'];
let producer: Producer;
let db: Pool;
let order: RunningApp;
let client: ReturnType<typeof createOrderClient>;
let baseUrl: string;

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const kafka = testKafka();
  await prepareTopic(kafka, groupId);
  producer = kafka.producer();
  await producer.connect();
  order = await startApp(groupId, { API_CREDENTIALS: credentials.env });
  const port = await freePort();
  await order.app.listen(port, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${port}`;
  client = createOrderClient({
    baseUrl,
    token: credentials.token('console'),
  });
  await produceWebhooks(
    producer,
    ORDER_IDS.map((id) => ({
      shop,
      orderId: id,
      body: orderBody({
        id,
        updatedAt: '2026-10-05T00:00:00Z',
        lineItemIds: ['866550311766439020'],
      }),
    })),
  );
  await waitFor(async () => {
    const { rows } = await db.query('SELECT 1 FROM orders.orders WHERE shop_domain = $1', [shop]);
    return rows.length === ORDER_IDS.length;
  }, 'the orders stored');
}, 120_000);

afterAll(async () => {
  await order?.close();
  await producer?.disconnect();
  await db?.end();
});

it('lists a page of orders, typed, and follows the cursor', async () => {
  const first = await client.GET('/orders', { params: { query: { shop, limit: 1 } } });
  expect(first.response.status).toBe(200);
  // Typed from the document: `data` is the OrderPageDto schema, ids are strings.
  const page: orderApi.components['schemas']['OrderPageDto'] | undefined = first.data;
  expect(page?.orders.map((o) => o.id)).toEqual([ORDER_IDS[0]]);
  expect(page?.orders[0].customer?.email).toBeUndefined(); // no customers:read
  expect(page?.next_cursor).toEqual(expect.any(String));

  const second = await client.GET('/orders', {
    params: { query: { shop, limit: 1, cursor: page!.next_cursor! } },
  });
  expect(second.data?.orders.map((o) => o.id)).toEqual([ORDER_IDS[1]]);
  expect(second.data?.next_cursor).toBeNull();
});

it('reads one order through a path parameter', async () => {
  const { data, response } = await client.GET('/orders/{id}', {
    params: { path: { id: ORDER_IDS[1] }, query: { shop } },
  });
  expect(response.status).toBe(200);
  expect(data?.id).toBe(ORDER_IDS[1]);
  expect(data?.line_items?.map((item) => item.id)).toEqual(['866550311766439020']);
});

it('gets the 400 naming the bad field from the same schema that is published', async () => {
  const { error, response } = await client.GET('/orders', {
    params: { query: { shop, limit: 0 } },
  });
  expect(response.status).toBe(400);
  expect(error).toMatchObject({ message: ['limit must be between 1 and 250'] });

  const missing = await client.GET('/orders', {
    // @ts-expect-error the generated types require `shop`; the service refuses it just the same
    // (a credential limited to shops is refused by @Access before validation: 403, not 400)
    params: { query: {} },
  });
  expect(missing.response.status).toBe(403);
});

it('is held to its credential: another shop is 403, a wrong token 401', async () => {
  const foreign = await client.GET('/orders', { params: { query: { shop: otherShop } } });
  expect(foreign.response.status).toBe(403);

  const stranger = createOrderClient({ baseUrl, token: 'not-a-credential-0123456789' });
  const refused = await stranger.GET('/orders', { params: { query: { shop } } });
  expect(refused.response.status).toBe(401);
  expect(refused.data).toBeUndefined();
});
