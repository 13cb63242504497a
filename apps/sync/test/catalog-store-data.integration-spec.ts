import { CACHE_PURGE_GROUP } from '@shopwire/cache';
import { ShopifyKafkaTopic } from '@shopwire/contracts';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import Redis from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { startBuiltService } from './built-service';
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

// Variants (CATALOG_ORIGIN=admin-api), metafields, store config and pricing rules through the
// catalog API, their origin the simulator's Admin API (a separate process) through the budgeted
// client, cached in the real Redis and purged by webhooks on the real Kafka. The simulator's own
// request counters show when the cache asked it.
const VERSION = '2026-01';
const ADMIN_TOKEN = 'shpat_sync_store_data_test';
const groupId = `sync-store-data-it-${randomUUID()}`;
const prefix = `shopwire-test:${randomUUID().slice(0, 8)}:cache`;
const shop = uniqueShop();
let sim: SimulatorProcess;
let kafka: Kafka;
let producer: Producer;
let app: RunningApp;
let redis: Redis;
let productIds: string[];
let variantIds: string[];

// Assertions read reply data freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function adminGraphql(query: string, variables: Record<string, unknown> = {}): Promise<Json> {
  const response = await fetch(`${sim.baseUrl}/shops/${shop}/admin/api/${VERSION}/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': ADMIN_TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  const reply = (await response.json()) as { data: Json; errors?: unknown };
  if (reply.errors) throw new Error(JSON.stringify(reply.errors));
  return reply.data;
}

const graphqlRequests = async () =>
  (await sim.call<{ graphql: { requests: number } }>('GET', `/sim/admin/shops/${shop}/stats`)).json
    .graphql.requests;

const key = (namespace: string, id: string) => `${prefix}:${namespace}:${shop}:${id}`;

async function getRaw(target: RunningApp, path: string) {
  const response = await target.app.inject({
    method: 'GET',
    url: path,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: response.statusCode, body: response.body, cache: response.headers['x-cache'] };
}

const setMetafield = (productId: string, value: string) =>
  adminGraphql(
    `mutation ($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }`,
    {
      m: [
        {
          ownerId: `gid://shopify/Product/${productId}`,
          namespace: 'custom',
          key: 'material',
          value,
        },
      ],
    },
  );

const renameDiscount = (id: string, title: string) =>
  adminGraphql(
    `mutation ($id: ID!, $title: String!) { discountAutomaticBasicUpdate(id: $id,
      automaticBasicDiscount: { title: $title }) { userErrors { message } } }`,
    { id, title },
  );

const material = (body: string) =>
  JSON.parse(body).metafields.find((m: Json) => m.namespace === 'custom' && m.key === 'material')
    ?.value;

/** Sends a webhook and returns how long its purge of `redisKey` took to be visible. */
/**
 * Sends the webhook Shopify would and waits until the cached entry is gone. How long that took is
 * printed, not asserted: timings belong in benchmarks, and a loaded CI machine stretches them.
 */
async function purgedBy(
  redisKey: string,
  topic: string,
  shopifyTopic: string,
  body: string,
): Promise<void> {
  expect(await redis.exists(redisKey)).toBe(1);
  const sentAt = Date.now();
  await produceWebhook(producer, topic, shop, shopifyTopic, body);
  await waitFor(async () => (await redis.exists(redisKey)) === 0, `purge of ${redisKey}`, 10_000);
  process.stdout.write(`${shopifyTopic} purged ${redisKey} after ${Date.now() - sentAt} ms\n`);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function adminEnv(group: string): Record<string, string> {
  return {
    RUN_MIGRATIONS: 'true',
    CATALOG_ORIGIN: 'admin-api',
    SHOPIFY_ADMIN_URL: `${sim.baseUrl}/shops/{shop}/admin/api/{version}`,
    SHOPIFY_ACCESS_TOKEN: ADMIN_TOKEN,
    SHOPIFY_API_VERSION: VERSION,
    CACHE_KEY_PREFIX: prefix,
    CACHE_PURGE_GROUP: `${group}-purge`,
  };
}

beforeAll(async () => {
  sim = await startSimulatorProcess();
  expect(
    (await sim.call('PUT', `/sim/admin/shops/${shop}`, { plan: 'standard', products: 10 })).status,
  ).toBeLessThan(300);
  const page = await adminGraphql(
    '{ products(first: 2) { nodes { legacyResourceId variants(first: 5) { nodes { legacyResourceId } } } } }',
  );
  productIds = page.products.nodes.map((p: Json) => String(p.legacyResourceId));
  variantIds = page.products.nodes.flatMap((p: Json) =>
    p.variants.nodes.map((v: Json) => String(v.legacyResourceId)),
  );
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  app = await startApp(groupId, adminEnv(groupId));
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

it('variants from the Admin API: ten in one call, the mirror’s shape, then all hits', async () => {
  const before = await graphqlRequests();
  const path = `/catalog/variants?shop=${shop}&ids=${variantIds.join(',')}`;
  const first = await getRaw(app, path);
  expect(first.status).toBe(200);
  const body = JSON.parse(first.body);
  expect(body.variants.map((v: Json) => v.id)).toEqual(variantIds);
  for (const variant of body.variants) {
    expect(Object.keys(variant)).toEqual(['id', 'product_id', 'sku', 'price', 'inventory_item_id']);
    expect(productIds).toContain(variant.product_id);
  }
  expect(first.body).not.toMatch(/inventory_quantity|inventoryQuantity|available/);
  expect((await graphqlRequests()) - before).toBe(1);
  expect((await getRaw(app, path)).cache).toBe(`${variantIds.length}/${variantIds.length} hit`);
  expect(await graphqlRequests()).toBe(before + 1);
  await purgedBy(
    key('variants', variantIds[0]),
    ShopifyKafkaTopic.Products,
    'products/update',
    `{"id":${productIds[0]},"variants":[{"id":${variantIds[0]}}]}`,
  );
});

it('a product’s metafields: cached, then fresh once the products/update Shopify sends arrives', async () => {
  const path = `/catalog/products/${productIds[0]}/metafields?shop=${shop}`;
  const before = await graphqlRequests();
  const miss = await getRaw(app, path);
  expect(miss.status).toBe(200);
  expect(miss.cache).toBe('miss');
  const doc = JSON.parse(miss.body);
  expect(doc.product_id).toBe(productIds[0]);
  expect(doc.truncated).toBe(false);
  expect(typeof material(miss.body)).toBe('string');
  expect((await getRaw(app, path)).cache).toBe('hit');
  expect(await graphqlRequests()).toBe(before + 1);

  const value = `Hemp ${randomUUID().slice(0, 6)}`;
  await setMetafield(productIds[0], value);
  expect(material((await getRaw(app, path)).body)).not.toBe(value); // cached until purged
  await purgedBy(
    key('metafields', productIds[0]),
    ShopifyKafkaTopic.Products,
    'products/update',
    `{"id":${productIds[0]},"updated_at":"${new Date().toISOString()}"}`,
  );
  expect(material((await getRaw(app, path)).body)).toBe(value);
  expect((await getRaw(app, `/catalog/products/999/metafields?shop=${shop}`)).status).toBe(404);
});

it('store config: cached, purged by shop/update (on the compliance topic)', async () => {
  const path = `/catalog/store-config?shop=${shop}`;
  const before = await graphqlRequests();
  const miss = await getRaw(app, path);
  expect(miss.status).toBe(200);
  expect(miss.cache).toBe('miss');
  const config = JSON.parse(miss.body);
  expect(config).toMatchObject({ shop, plan: { display_name: 'Standard', shopify_plus: false } });
  expect(['USD', 'CAD', 'EUR', 'GBP']).toContain(config.currency_code);
  expect(['POUNDS', 'KILOGRAMS']).toContain(config.weight_unit);
  expect((await getRaw(app, path)).cache).toBe('hit');
  expect(await graphqlRequests()).toBe(before + 1);
  await purgedBy(
    key('store-config', 'shop'),
    ShopifyKafkaTopic.Compliance,
    'shop/update',
    `{"id":1,"name":"x","domain":"${shop}"}`,
  );
  const again = await getRaw(app, path);
  expect(again.cache).toBe('miss');
  expect(again.body).toBe(miss.body);
  expect(await graphqlRequests()).toBe(before + 2);
});

it('pricing rules: active and scheduled discounts, cached, fresh after discounts/update', async () => {
  const path = `/catalog/pricing-rules?shop=${shop}`;
  const miss = await getRaw(app, path);
  expect(miss.status).toBe(200);
  const { discounts, truncated } = JSON.parse(miss.body);
  expect(truncated).toBe(false);
  expect(discounts.map((d: Json) => d.status).sort()).toEqual([
    'active',
    'active',
    'active',
    'scheduled',
  ]);
  expect(discounts.find((d: Json) => d.method === 'code' && d.status === 'active').code).toBe(
    'WELCOME15',
  );
  for (const d of discounts) expect(d.admin_graphql_api_id).toMatch(new RegExp(`/${d.id}$`));
  expect((await getRaw(app, path)).cache).toBe('hit');

  const automatic = discounts.find((d: Json) => d.method === 'automatic');
  const title = `Renamed ${randomUUID().slice(0, 6)}`;
  await renameDiscount(automatic.admin_graphql_api_id, title);
  await purgedBy(
    key('pricing-rules', 'discounts'),
    ShopifyKafkaTopic.Products,
    'discounts/update',
    `{"admin_graphql_api_id":"${automatic.admin_graphql_api_id}","title":"${title}","status":"ACTIVE"}`,
  );
  const fresh = JSON.parse((await getRaw(app, path)).body);
  expect(fresh.discounts.find((d: Json) => d.id === automatic.id).title).toBe(title);
});

it('end to end: the simulator’s signed discounts/update and shop/update, through the gateway, purge', async () => {
  const gateway = await startBuiltService('gateway', {
    SHOPIFY_WEBHOOK_SECRETS: 'sim-test-secret-0123', // the simulator process's signing secret
  });
  try {
    for (const [path, redisKey, topic] of [
      [
        `/catalog/pricing-rules?shop=${shop}`,
        key('pricing-rules', 'discounts'),
        'discounts/update',
      ],
      [`/catalog/store-config?shop=${shop}`, key('store-config', 'shop'), 'shop/update'],
    ]) {
      await getRaw(app, path);
      expect((await getRaw(app, path)).cache).toBe('hit');
      const started = await sim.call('POST', '/sim/webhooks/streams', {
        rate: 10,
        count: 1,
        topics: { [topic]: 1 },
        shops: [shop],
        targetUrl: `${gateway.url}/webhooks/shopify`,
      });
      expect(started.status).toBe(201);
      await waitFor(async () => (await redis.exists(redisKey)) === 0, `${topic} purge`, 15_000);
      expect((await getRaw(app, path)).cache).toBe('miss');
    }
  } finally {
    await gateway.stop();
  }
});

// Two deployments: the cache on a Redis of its own (the budget's is up), and the default, one
// REDIS_URL for cache and budget — then the budget runs on its local share of the shop's bucket.
describe.each([
  ['the cache’s own Redis (the budget’s is up)', 'CACHE_REDIS_URL', 'shared'],
  ['the one Redis of cache and budget', 'REDIS_URL', 'fallback'],
] as const)('while %s refuses connections', (_what, variable, budgetMode) => {
  let down: RunningApp;

  beforeAll(async () => {
    const group = `${groupId}-down-${variable.toLowerCase()}`;
    await startGroupAtEnd(kafka, group);
    down = await startApp(group, {
      ...adminEnv(group),
      [variable]: `redis://127.0.0.1:${await closedPort()}`,
    });
  }, 120_000);

  afterAll(() => down?.close());

  it('every endpoint answers from the Admin API and follows each change at once', async () => {
    const metafields = `/catalog/products/${productIds[1]}/metafields?shop=${shop}`;
    for (const value of ['Jute', 'Linen']) {
      await setMetafield(productIds[1], value);
      const read = await getRaw(down, metafields);
      expect(read.cache).toBe('miss');
      expect(material(read.body)).toBe(value);
    }
    const { discounts } = JSON.parse(
      (await getRaw(down, `/catalog/pricing-rules?shop=${shop}`)).body,
    );
    const automatic = discounts.find((d: Json) => d.method === 'automatic');
    await renameDiscount(automatic.admin_graphql_api_id, 'Outage sale');
    const rules = await getRaw(down, `/catalog/pricing-rules?shop=${shop}`);
    expect(rules.cache).toBe('miss');
    expect(JSON.parse(rules.body).discounts.find((d: Json) => d.id === automatic.id).title).toBe(
      'Outage sale',
    );
    const config = await getRaw(down, `/catalog/store-config?shop=${shop}`);
    expect(config.status).toBe(200);
    expect(config.cache).toBe('miss');
    expect(JSON.parse(config.body).shop).toBe(shop);
    const variant = await getRaw(down, `/catalog/variants/${variantIds[1]}?shop=${shop}`);
    expect(variant.cache).toBe('miss');
    expect(JSON.parse(variant.body).id).toBe(variantIds[1]);
    const fallback = await down.registry
      .getSingleMetric('shopwire_shopify_admin_budget_fallback')!
      .get();
    const graphql = fallback.values.find((v) => v.labels.api === 'graphql')?.value;
    expect(graphql).toBe(budgetMode === 'fallback' ? 1 : 0);
  });
});

// Last: it leaves the shop's Admin API breaker open for a while.
it('Shopify failing past the client’s retries is a 503 that caches nothing', async () => {
  const path = `/catalog/products/${productIds[1]}/metafields?shop=${shop}`;
  expect(
    (await sim.call('PUT', '/sim/admin/faults', { shop, errorBurst: 50, errorStatus: 503 })).status,
  ).toBeLessThan(300);
  try {
    const read = await getRaw(app, path);
    expect(read.status).toBe(503);
    expect(await redis.exists(key('metafields', productIds[1]))).toBe(0);
  } finally {
    await sim.call('DELETE', '/sim/admin/faults');
  }
}, 60_000);
