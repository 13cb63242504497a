import { CACHE_PURGE_GROUP } from '@shopwire/cache';
import { ShopifyKafkaTopic } from '@shopwire/contracts';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import Redis from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import {
  produceWebhook,
  startApp,
  startGroupAtEnd,
  testKafka,
  TOKEN,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './sync-harness';

// CATALOG_ORIGIN=admin-api: misses go to the simulator's Admin API (a separate process) through
// the budgeted client; the simulator's own request counters show how many calls the cache made.
const VERSION = '2026-01';
const ADMIN_TOKEN = 'shpat_sync_catalog_test';
const groupId = `sync-catalog-admin-it-${randomUUID()}`;
const prefix = `shopwire-test:${randomUUID().slice(0, 8)}:cache`;
const shop = uniqueShop();
let sim: SimulatorProcess;
let kafka: Kafka;
let producer: Producer;
let app: RunningApp;
let redis: Redis;
let ids: string[];

interface Stats {
  graphql: { requests: number; throttled: number; maxCostExceeded: number };
}

async function adminGraphql<T>(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${sim.baseUrl}/shops/${shop}/admin/api/${VERSION}/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': ADMIN_TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  return ((await response.json()) as { data: T }).data;
}

const graphqlRequests = async () =>
  (await sim.call<Stats>('GET', `/sim/admin/shops/${shop}/stats`)).json.graphql;

async function getRaw(path: string) {
  const response = await app.app.inject({
    method: 'GET',
    url: path,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: response.statusCode, body: response.body, cache: response.headers['x-cache'] };
}

beforeAll(async () => {
  sim = await startSimulatorProcess();
  expect(
    (await sim.call('PUT', `/sim/admin/shops/${shop}`, { plan: 'standard', products: 40 })).status,
  ).toBeLessThan(300);
  const page = await adminGraphql<{ products: { nodes: { legacyResourceId: string }[] } }>(
    '{ products(first: 30) { nodes { legacyResourceId } } }',
  );
  ids = page.products.nodes.map((n) => String(n.legacyResourceId));
  expect(ids).toHaveLength(30);
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  app = await startApp(groupId, {
    RUN_MIGRATIONS: 'true',
    CATALOG_ORIGIN: 'admin-api',
    SHOPIFY_ADMIN_URL: `${sim.baseUrl}/shops/{shop}/admin/api/{version}`,
    SHOPIFY_ACCESS_TOKEN: ADMIN_TOKEN,
    SHOPIFY_API_VERSION: VERSION,
    CACHE_KEY_PREFIX: prefix,
    CACHE_PURGE_GROUP: `${groupId}-purge`,
  });
  // startApp waited for every group on the transport to join, the cache purge group among them.
  expect(app.consumers.statuses.map((s) => s.group)).toContain(CACHE_PURGE_GROUP);
}, 180_000);

afterAll(async () => {
  await app?.close();
  await producer?.disconnect();
  await sim?.stop();
  if (redis) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});

it('a miss asks the Admin API once; the document has the mirror’s shape and no inventory', async () => {
  const before = (await graphqlRequests()).requests;
  const miss = await getRaw(`/catalog/products/${ids[0]}?shop=${shop}`);
  expect(miss.status).toBe(200);
  expect(miss.cache).toBe('miss');
  const doc = JSON.parse(miss.body);
  expect(doc.id).toBe(ids[0]);
  expect(typeof doc.title).toBe('string');
  expect(doc.variants.length).toBeGreaterThan(0);
  for (const v of doc.variants) {
    expect(typeof v.id).toBe('string');
    expect(typeof v.inventory_item_id).toBe('string');
  }
  expect(miss.body).not.toMatch(/inventory_quantity|inventoryQuantity/);
  expect((await getRaw(`/catalog/products/${ids[0]}?shop=${shop}`)).cache).toBe('hit');
  expect((await graphqlRequests()).requests - before).toBe(1);
});

it('100 concurrent misses on one product: one Admin API call', async () => {
  const before = (await graphqlRequests()).requests;
  const answers = await Promise.all(
    Array.from({ length: 100 }, () => getRaw(`/catalog/products/${ids[1]}?shop=${shop}`)),
  );
  expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
  expect(new Set(answers.map((a) => a.body)).size).toBe(1);
  expect((await graphqlRequests()).requests - before).toBe(1);
});

it('a batch of 30 (2 cached) costs two GraphQL calls within the cost limit; repeated, none', async () => {
  const before = await graphqlRequests();
  const unknown = '999999999999';
  const first = await getRaw(`/catalog/products?shop=${shop}&ids=${[...ids, unknown].join(',')}`);
  expect(first.status).toBe(200);
  const body = JSON.parse(first.body);
  expect(body.products.map((p: { id: string }) => p.id)).toEqual(ids);
  expect(body.not_found).toEqual([unknown]);
  const after = await graphqlRequests();
  // 28 products and 1 unknown missed: 29 ids in 20-id calls.
  expect(after.requests - before.requests).toBe(2);
  expect(after.maxCostExceeded).toBe(before.maxCostExceeded);
  const again = await getRaw(`/catalog/products?shop=${shop}&ids=${[...ids, unknown].join(',')}`);
  expect(again.cache).toBe(`${ids.length + 1}/${ids.length + 1} hit`);
  expect((await graphqlRequests()).requests).toBe(after.requests);
});

it('a product changed in the Admin API is fresh after its products/update webhook', async () => {
  const id = ids[2];
  expect((await getRaw(`/catalog/products/${id}?shop=${shop}`)).cache).toBe('hit');
  const title = `Renamed ${randomUUID().slice(0, 6)}`;
  await adminGraphql(
    'mutation($input: ProductInput!) { productUpdate(input: $input) { product { id } userErrors { message } } }',
    { input: { id: `gid://shopify/Product/${id}`, title } },
  );
  // Cached until the webhook says otherwise (TTL 5 min).
  expect(JSON.parse((await getRaw(`/catalog/products/${id}?shop=${shop}`)).body).title).not.toBe(
    title,
  );
  await produceWebhook(
    producer,
    ShopifyKafkaTopic.Products,
    shop,
    'products/update',
    `{"id":${id},"title":"${title}","updated_at":"${new Date().toISOString()}"}`,
  );
  await waitFor(
    async () =>
      JSON.parse((await getRaw(`/catalog/products/${id}?shop=${shop}`)).body).title === title,
    'the renamed product through the cache',
    10_000,
  );
});
