import { CACHE_PURGE_GROUP } from '@shopwire/cache';
import { ShopifyKafkaTopic } from '@shopwire/contracts';
import Redis from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  produceWebhook,
  startApp,
  startGroupAtEnd,
  testKafka,
  TOKEN,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './sync-harness';

// Variants through the catalog API with the mirror as origin, over the real Redis, Kafka and
// Postgres: served, cached, purged within a second of the products webhook that lists them (or
// deletes their product), and correct while the cache's Redis refuses every connection.
const groupId = `sync-variants-it-${randomUUID()}`;
const prefix = `shopwire-test:${randomUUID().slice(0, 8)}:cache`;
const shop = uniqueShop();
const PRODUCT = '820982911946154508';
const VARIANT_A = '9007199254740993'; // above 2^53: a JS number would end in ...992
const VARIANT_B = '9007199254740995';
let kafka: Kafka;
let producer: Producer;
let app: RunningApp;
let redis: Redis;
let db: Pool;

const key = (id: string) => `${prefix}:variants:${shop}:${id}`;

async function getRaw(target: RunningApp, path: string) {
  const response = await target.app.inject({
    method: 'GET',
    url: path,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: response.statusCode, body: response.body, cache: response.headers['x-cache'] };
}

function productBody(priceA: string, updatedAt: string, withB = true): string {
  const variants = [
    `{"id":${VARIANT_A},"title":"S","price":"${priceA}","sku":"MUG-S","inventory_item_id":${VARIANT_A}1,"inventory_quantity":7}`,
    ...(withB
      ? [
          `{"id":${VARIANT_B},"title":"L","price":"14.00","sku":"MUG-L","inventory_item_id":${VARIANT_B}1}`,
        ]
      : []),
  ];
  return `{"id":${PRODUCT},"title":"Mug","handle":"mug","status":"active","updated_at":"${updatedAt}","variants":[${variants.join(',')}]}`;
}

/** A port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  app = await startApp(groupId, {
    RUN_MIGRATIONS: 'true',
    CACHE_KEY_PREFIX: prefix,
    CACHE_PURGE_GROUP: `${groupId}-purge`,
    // Long, so only a purge (never an expiry) can explain a fresh answer.
    CACHE_NEGATIVE_TTL_MS: '600000',
  });
  // startApp waited for every group on the transport to join, the cache purge group among them.
  expect(app.consumers.statuses.map((s) => s.group)).toContain(CACHE_PURGE_GROUP);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await producer?.disconnect();
  await db?.end();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

it('serves a variant from the mirror, then from the cache; ids exact, no inventory quantity', async () => {
  await produceWebhook(
    producer,
    ShopifyKafkaTopic.Products,
    shop,
    'products/update',
    productBody('12.00', '2026-11-01T10:00:00Z'),
  );
  // The sync consumer purges again after its mirror write: wait for the answer to be cached.
  await waitFor(
    async () => {
      const read = await getRaw(app, `/catalog/variants/${VARIANT_A}?shop=${shop}`);
      return read.status === 200 && read.cache === 'hit';
    },
    'the variant through the catalog API, cached',
    30_000,
  );
  const hit = await getRaw(app, `/catalog/variants/${VARIANT_A}?shop=${shop}`);
  expect(hit.cache).toBe('hit');
  expect(JSON.parse(hit.body)).toEqual({
    id: VARIANT_A,
    product_id: PRODUCT,
    sku: 'MUG-S',
    price: '12.00',
    inventory_item_id: `${VARIANT_A}1`,
  });
  expect(hit.body).toMatch(new RegExp(`"id"\\s*:\\s*"${VARIANT_A}"`)); // exact, as text
  expect(hit.body).not.toContain('inventory_quantity');
  expect(await redis.get(key(VARIANT_A))).toBe(hit.body);
});

it('a products/update listing the variant purges it within 1 s; the next read is fresh', async () => {
  // Cached first (read until a hit: a late purge after the previous write may have dropped it).
  await waitFor(
    async () => (await getRaw(app, `/catalog/variants/${VARIANT_A}?shop=${shop}`)).cache === 'hit',
    'the variant cached',
    10_000,
  );
  const sentAt = Date.now();
  await produceWebhook(
    producer,
    ShopifyKafkaTopic.Products,
    shop,
    'products/update',
    productBody('11.00', '2026-11-02T10:00:00Z'),
  );
  await waitFor(async () => (await redis.exists(key(VARIANT_A))) === 0, 'the purge', 10_000);
  expect(Date.now() - sentAt).toBeLessThan(1000);
  // The sync consumer purges once more after its mirror write, so the new price may be read
  // (and cached) twice before it is served from the cache.
  await waitFor(
    async () => {
      const read = await getRaw(app, `/catalog/variants/${VARIANT_A}?shop=${shop}`);
      return read.cache === 'hit' && JSON.parse(read.body).price === '11.00';
    },
    'the new price, cached',
    30_000,
  );
});

it('batch read: found variants and the ids not found; repeated, all hits', async () => {
  const path = `/catalog/variants?shop=${shop}&ids=${VARIANT_A},${VARIANT_B},123`;
  const first = await getRaw(app, path);
  expect(first.status).toBe(200);
  const body = JSON.parse(first.body);
  expect(body.variants.map((v: { id: string }) => v.id).sort()).toEqual([VARIANT_A, VARIANT_B]);
  expect(body.not_found).toEqual(['123']);
  expect((await getRaw(app, path)).cache).toBe('3/3 hit');
  expect((await getRaw(app, `/catalog/variants/abc?shop=${shop}`)).status).toBe(400);
});

it('products/delete, which names no variant, purges the product’s variants: both 404 after', async () => {
  // Both cached first. Read until a hit: the sync consumer's purge after its mirror write of the
  // previous test's update may land after that test saw the new price cached.
  for (const id of [VARIANT_A, VARIANT_B])
    await waitFor(
      async () => (await getRaw(app, `/catalog/variants/${id}?shop=${shop}`)).cache === 'hit',
      `variant ${id} cached`,
      10_000,
    );
  const sentAt = Date.now();
  await produceWebhook(
    producer,
    ShopifyKafkaTopic.Products,
    shop,
    'products/delete',
    `{"id":${PRODUCT}}`,
  );
  await waitFor(
    async () => (await redis.exists(key(VARIANT_A), key(VARIANT_B))) === 0,
    'both variants purged',
    10_000,
  ).catch(async (error: unknown) => {
    // Say what was left, and what the mirror held, to tell a late purge from a missing one.
    const { rows } = await db.query(
      'SELECT id::text FROM sync.product_variants WHERE shop_domain = $1',
      [shop],
    );
    throw new Error(
      `${String(error)}; left: ${JSON.stringify(await redis.keys(`${prefix}:variants:*`))}, mirror variants: ${JSON.stringify(rows)}`,
    );
  });
  expect(Date.now() - sentAt).toBeLessThan(1000);
  await waitFor(
    async () =>
      (await getRaw(app, `/catalog/variants?shop=${shop}&ids=${VARIANT_A},${VARIANT_B}`)).body ===
      `{"variants":[],"not_found":["${VARIANT_A}","${VARIANT_B}"]}`,
    'the deleted product’s variants not found',
    30_000,
  );
});

it('without an Admin API token for the shop, the Admin-API-backed reads are 404 and cache nothing', async () => {
  for (const path of [
    `/catalog/products/${PRODUCT}/metafields?shop=${shop}`,
    `/catalog/store-config?shop=${shop}`,
    `/catalog/pricing-rules?shop=${shop}`,
  ]) {
    const read = await getRaw(app, path);
    expect(read.status).toBe(404);
    expect(JSON.parse(read.body).message).toMatch(/no Admin API access/);
  }
  // Value keys only: the products webhooks above left purge generations (`#gen`) of metafields.
  const keys = await redis.keys(`${prefix}:*`);
  expect(
    keys.filter((k) => /:(metafields|store-config|pricing-rules):/.test(k) && !k.includes('#')),
  ).toEqual([]);
});

describe('while Redis (one for cache and budget) refuses connections', () => {
  const other = uniqueShop();
  let down: RunningApp;

  beforeAll(async () => {
    const group = `${groupId}-down`;
    await startGroupAtEnd(kafka, group);
    down = await startApp(group, {
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      CACHE_KEY_PREFIX: prefix,
      CACHE_PURGE_GROUP: `${group}-purge`,
    });
    await db.query(
      `INSERT INTO sync.products (shop_domain, id, title, handle, status, updated_at, last_webhook_id)
       VALUES ($1, $2, 'Cup', 'cup', 'active', now(), 'it')`,
      [other, PRODUCT],
    );
    await db.query(
      `INSERT INTO sync.product_variants (shop_domain, product_id, id, sku, price, inventory_item_id)
       VALUES ($1, $2, $3, 'CUP-1', 9.50, 1)`,
      [other, PRODUCT, VARIANT_A],
    );
  }, 120_000);

  afterAll(async () => {
    await down?.close();
    await db.query('DELETE FROM sync.products WHERE shop_domain = $1', [other]);
  });

  it('every read comes from the mirror and follows it at once', async () => {
    const read = () => getRaw(down, `/catalog/variants/${VARIANT_A}?shop=${other}`);
    const first = await read();
    expect(first.status).toBe(200);
    expect(first.cache).toBe('miss');
    expect(JSON.parse(first.body).price).toBe('9.50');
    await db.query('UPDATE sync.product_variants SET price = 8.25 WHERE shop_domain = $1', [other]);
    const second = await read();
    expect(second.cache).toBe('miss');
    expect(JSON.parse(second.body).price).toBe('8.25');
    const batch = await getRaw(down, `/catalog/variants?shop=${other}&ids=${VARIANT_A},7`);
    expect(JSON.parse(batch.body)).toMatchObject({ not_found: ['7'] });
    expect(batch.cache).toBe('0/2 hit');
  });
});
