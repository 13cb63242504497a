import { CACHE_PURGE_GROUP } from '@shopwire/cache';
import { ShopifyKafkaTopic } from '@shopwire/contracts';
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

// The catalog API over the real Redis, Kafka and Postgres: products webhooks fill the mirror (the
// origin), reads are cached, and a newer webhook purges the entry. The schema is migrated, never
// dropped (other suites share it); everything here is under a shop and key prefix of its own.
const groupId = `sync-catalog-it-${randomUUID()}`;
const prefix = `shopwire-test:${randomUUID().slice(0, 8)}:cache`;
const shop = uniqueShop();
const PRODUCT = '820982911946154508'; // above 2^53
let kafka: Kafka;
let producer: Producer;
let app: RunningApp;
let redis: Redis;

const key = (id: string) => `${prefix}:products:${shop}:${id}`;

async function getRaw(path: string, token: string | null = TOKEN) {
  const response = await app.app.inject({
    method: 'GET',
    url: path,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.statusCode, body: response.body, cache: response.headers['x-cache'] };
}

function productBody(title: string, updatedAt: string): string {
  return `{"id":${PRODUCT},"title":"${title}","handle":"mug","status":"active","updated_at":"${updatedAt}","variants":[{"id":${PRODUCT}1,"sku":"MUG-1","price":"12.00","inventory_item_id":${PRODUCT}2,"inventory_quantity":7}]}`;
}

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
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
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

it('serves a product from the mirror, then from the cache, ids exact, no inventory quantities', async () => {
  expect((await getRaw(`/catalog/products/${PRODUCT}?shop=${shop}`)).status).toBe(404); // cached "not found"
  await produceWebhook(
    producer,
    ShopifyKafkaTopic.Products,
    shop,
    'products/update',
    productBody('Mug', '2026-11-01T10:00:00Z'),
  );
  // Only a purge after the mirror write can replace the cached 404 (negative TTL is 10 min).
  await waitFor(
    async () => {
      const read = await getRaw(`/catalog/products/${PRODUCT}?shop=${shop}`);
      return read.status === 200 && read.cache === 'hit';
    },
    'the product through the catalog API, cached',
    30_000,
  );
  const hit = await getRaw(`/catalog/products/${PRODUCT}?shop=${shop}`);
  expect(hit.cache).toBe('hit');
  const doc = JSON.parse(hit.body);
  expect(doc.id).toBe(PRODUCT);
  expect(doc.title).toBe('Mug');
  expect(doc.variants).toEqual([
    { id: `${PRODUCT}1`, sku: 'MUG-1', price: '12.00', inventory_item_id: `${PRODUCT}2` },
  ]);
  expect(hit.body).not.toContain('inventory_quantity');
  expect(await redis.get(key(PRODUCT))).toBe(hit.body);
});

it('a newer products/update purges the entry within 1 s and the next read is fresh', async () => {
  expect((await getRaw(`/catalog/products/${PRODUCT}?shop=${shop}`)).cache).toBe('hit');
  const sentAt = Date.now();
  await produceWebhook(
    producer,
    ShopifyKafkaTopic.Products,
    shop,
    'products/update',
    productBody('Mug v2', '2026-11-02T10:00:00Z'),
  );
  await waitFor(async () => (await redis.exists(key(PRODUCT))) === 0, 'the purge', 10_000);
  expect(Date.now() - sentAt).toBeLessThan(1000);
  // The sync consumer purges once more after its mirror write (products and their variants), so
  // the new title may be read, and cached, twice before it is served from the cache.
  await waitFor(
    async () => {
      const read = await getRaw(`/catalog/products/${PRODUCT}?shop=${shop}`);
      return read.cache === 'hit' && JSON.parse(read.body).title === 'Mug v2';
    },
    'the new title, cached',
    30_000,
  );
});

it('batch read: found documents and the ids not found, in one answer', async () => {
  const response = await getRaw(`/catalog/products?shop=${shop}&ids=${PRODUCT},123`);
  expect(response.status).toBe(200);
  const body = JSON.parse(response.body);
  expect(body.products.map((p: { id: string }) => p.id)).toEqual([PRODUCT]);
  expect(body.not_found).toEqual(['123']);
  expect(response.body).toMatch(new RegExp(`"id"\\s*:\\s*"${PRODUCT}"`)); // exact, as text
});

it('needs a bearer token and valid input', async () => {
  expect((await getRaw(`/catalog/products/${PRODUCT}?shop=${shop}`, null)).status).toBe(401);
  expect((await getRaw(`/catalog/products/abc?shop=${shop}`)).status).toBe(400);
  expect((await getRaw(`/catalog/products/${PRODUCT}?shop=evil.example.com`)).status).toBe(400);
  const tooMany = Array.from({ length: 101 }, (_, i) => String(i + 1)).join(',');
  expect((await getRaw(`/catalog/products?shop=${shop}&ids=${tooMany}`)).status).toBe(400);
});
