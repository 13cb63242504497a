import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { envelopeHeaders, messageKey } from '@shopwire/contracts';
import { ChunkConsumerTransport } from '@shopwire/kafka';
import { testKafka, waitFor } from '@shopwire/testing';
import type { Admin, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import {
  CACHE_PURGE_GROUP,
  CACHE_PURGER,
  CachePurgeConsumer,
  CachePurger,
  type CachePurgerOptions,
} from '../src';
import { CacheHarness, FakeOrigin, PausableRedisProxy, product } from './cache-harness';

@Module({})
class PurgeTestApp {}

/**
 * Webhooks on a real topic purge the cache within a second. The topic is this run's own (the
 * purger reads whatever topics it is given; by default `CACHE_PURGE_TOPICS`), each message is a
 * webhook envelope written exactly as the gateway writes it, and the purge consumer runs as in a
 * service: the lib's `@ConsumeChunks` controller on a `ChunkConsumerTransport`, in a Nest app.
 */
describe('CachePurgeConsumer (real Kafka and Redis)', () => {
  const h = new CacheHarness();
  const kafka = testKafka('cache-purge-test');
  const topic = `test.cache-purge.${randomUUID().slice(0, 8)}`;
  const logger = pino({ level: 'silent' });
  let admin: Admin;
  let producer: Producer;
  let consumer: INestMicroservice | undefined;
  const origin = new FakeOrigin();

  /** The purge consumer on a transport of its own, once its group (a new one) has joined. */
  async function startPurgeConsumer(
    options: Pick<CachePurgerOptions, 'caches' | 'resolveProductVariants'>,
  ): Promise<INestMicroservice> {
    const purger = new CachePurger({
      ...options,
      groupId: `cache-purge-test-${randomUUID().slice(0, 8)}`,
      topics: [topic],
      logger,
      metrics: h.metrics,
    });
    const transport = new ChunkConsumerTransport({
      kafka,
      logger,
      // No retry topic or DLQ for this group: nothing is ever published.
      producer: { send: () => Promise.reject(new Error('no failure path for cache purges')) },
      registry: h.registry,
    });
    const app = await NestFactory.createMicroservice(
      {
        module: PurgeTestApp,
        controllers: [CachePurgeConsumer],
        providers: [
          { provide: CACHE_PURGER, useValue: purger },
          { provide: ChunkConsumerTransport, useValue: transport },
        ],
      },
      { strategy: transport, logger: false },
    );
    await app.init();
    await app.listen();
    await waitFor(() => transport.statuses.length === 1 && transport.statuses[0].joined, {
      timeoutMs: 60_000,
      what: 'purge group joined',
    });
    expect(transport.statuses[0]).toMatchObject({ group: CACHE_PURGE_GROUP, joined: true });
    return app;
  }

  async function rejected(): Promise<number> {
    const metric = await h.registry
      .getSingleMetric('shopwire_consumer_messages_rejected_total')
      ?.get();
    return (metric?.values ?? [])
      .filter((v) => v.labels.group === CACHE_PURGE_GROUP)
      .reduce((sum, v) => sum + v.value, 0);
  }

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.close();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await h.close();
  });

  async function publish(shopifyTopic: string, body: string, id: string): Promise<number> {
    const now = new Date().toISOString();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: messageKey(h.shop, id),
          value: Buffer.from(body),
          headers: envelopeHeaders({
            webhookId: randomUUID(),
            eventId: randomUUID(),
            shopifyTopic,
            shopDomain: h.shop,
            apiVersion: '2026-10',
            triggeredAt: now,
            receivedAt: now,
          }),
        },
      ],
    });
    return Date.now();
  }

  it('purges a product (and its variants) within 1 s of products/update reaching Kafka', async () => {
    const store = await h.ready();
    const products = h.cache(origin, store);
    const variants = h.cache(origin, store, { namespace: 'variants' });
    const metafields = h.cache(origin, store, { namespace: 'metafields' });
    const pricingRules = h.cache(origin, store, { namespace: 'pricing-rules' });
    consumer = await startPurgeConsumer({
      caches: { products, variants, metafields, 'pricing-rules': pricingRules },
      // What the app's catalog says product 66 had: its delete webhook names no variant.
      resolveProductVariants: (_shop, productId) =>
        Promise.resolve(productId === '66' ? ['661', '662'] : []),
    });

    const id = '820982911946154508';
    origin.data.set(id, product(id, 'Before'));
    origin.data.set('77', '{"id":77}');
    expect((await products.get(h.shop, id)).value).toBe(product(id, 'Before'));
    await variants.get(h.shop, '77');
    expect(await h.redis.exists(h.key(id), h.key('77', 'variants'))).toBe(2);

    origin.data.set(id, product(id, 'After'));
    const sentAt = await publish(
      'products/update',
      `{"id":${id},"title":"After","variants":[{"id":77}]}`,
      id,
    );
    // One purge per namespace, one after the other: wait for both.
    await waitFor(async () => (await h.redis.exists(h.key(id), h.key('77', 'variants'))) === 0, {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: 'the purge',
    });
    const purgeMs = Date.now() - sentAt;
    expect(purgeMs).toBeLessThan(1000);
    expect(await products.get(h.shop, id)).toEqual({
      value: product(id, 'After'),
      source: 'origin',
    });
    expect(await h.counter('shopwire_cache_purge_lag_seconds')).toBeGreaterThan(0);
  });

  it('products/delete purges the product, its metafields and the variants it had; discounts/* the pricing rules', async () => {
    const store = await h.ready();
    const caches = {
      products: h.cache(origin, store),
      variants: h.cache(origin, store, { namespace: 'variants' }),
      metafields: h.cache(origin, store, { namespace: 'metafields' }),
      pricingRules: h.cache(origin, store, { namespace: 'pricing-rules' }),
    };
    for (const id of ['66', '661', '662', 'discounts']) origin.data.set(id, `{"id":"${id}"}`);
    await caches.products.get(h.shop, '66');
    await caches.metafields.get(h.shop, '66');
    await caches.variants.getMany(h.shop, ['661', '662']);
    await caches.pricingRules.get(h.shop, 'discounts');
    const keys = [
      h.key('66'),
      h.key('66', 'metafields'),
      h.key('661', 'variants'),
      h.key('662', 'variants'),
      h.key('discounts', 'pricing-rules'),
    ];
    expect(await h.redis.exists(...keys)).toBe(5);
    const sentAt = await publish('products/delete', '{"id":66}', '66');
    await publish(
      'discounts/update',
      '{"admin_graphql_api_id":"gid://shopify/DiscountAutomaticNode/5","title":"x"}',
      'gid://shopify/DiscountAutomaticNode/5',
    );
    await waitFor(async () => (await h.redis.exists(...keys)) === 0, {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: 'the purges',
    });
    expect(Date.now() - sentAt).toBeLessThan(1000);
  });

  it('clears a cached "not found" on products/create; ignores inventory levels, counts junk', async () => {
    const products = h.cache(origin, await h.ready());
    expect((await products.get(h.shop, '88')).value).toBeNull();
    expect(await h.redis.get(h.key('88'))).toBe(''); // the negative entry
    const rejectedBefore = await rejected();

    await publish('inventory_levels/update', '{"inventory_item_id":5,"available":1}', '5');
    await producer.send({ topic, messages: [{ key: 'x', value: 'not an envelope' }] });
    origin.data.set('88', product('88', 'Created'));
    const sentAt = await publish('products/create', '{"id":88,"title":"Created"}', '88');
    await waitFor(async () => (await h.redis.exists(h.key('88'))) === 0, {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: 'the purge of the negative entry',
    });
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect((await products.get(h.shop, '88')).value).toBe(product('88', 'Created'));
    // The junk was skipped and counted (once its chunk's handler resolved), never retried.
    await waitFor(async () => (await rejected()) === rejectedBefore + 1, 'the junk counted');
  });

  it('a purge that cannot reach Redis is retried until it can: never lost', async () => {
    await consumer?.close(); // only this test's consumer may purge now
    consumer = undefined;
    const proxy = new PausableRedisProxy();
    await proxy.start();
    const proxied = await h.ready(proxy.url, 50);
    const products = h.cache(origin, proxied);
    const retrying = await startPurgeConsumer({ caches: { products } });
    try {
      // A fresh group starts at the topic's end once it has fetched: prove it is consuming (one
      // purge through) before the one under test, or that one could land before its start.
      origin.data.set('98', product('98', 'Warm-up'));
      await waitFor(
        async () => {
          await products.get(h.shop, '98'); // cached (again)
          await publish('products/update', '{"id":98,"title":"Warm-up 2"}', '98');
          for (const until = Date.now() + 2000; Date.now() < until;)
            if ((await h.redis.exists(h.key('98'))) === 0) return true;
            else await new Promise((r) => setTimeout(r, 20));
          return false;
        },
        { timeoutMs: 60_000, intervalMs: 0, what: 'a warm-up purge to go through' },
      );
      origin.data.set('99', product('99', 'Cached'));
      await products.get(h.shop, '99');
      expect(await h.redis.exists(h.key('99'))).toBe(1);

      proxy.pause(); // Redis hangs for this consumer only
      await publish('products/update', '{"id":99,"title":"Changed"}', '99');
      await new Promise((r) => setTimeout(r, 1500)); // attempts fail (timeouts, then the breaker)
      expect(await h.redis.exists(h.key('99'))).toBe(1);
      proxy.resume();
      await waitFor(async () => (await h.redis.exists(h.key('99'))) === 0, {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'the retried purge',
      });
    } finally {
      await retrying.close();
      await proxy.close();
    }
  });
});
