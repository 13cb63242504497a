import { ShopifyKafkaTopic } from '@shopwire/contracts';
import { collectMessages, headerValue, testKafka, topicPositions } from '@shopwire/testing';
import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import {
  orderBody,
  post,
  signedDelivery,
  startGateway,
  type RunningGateway,
} from './gateway-harness';

// The real gateway against the real broker and the real Redis set the shops service keeps
// (here under a key of this file's own).
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = `shopwire-test:shops:uninstalled:${randomUUID().slice(0, 8)}`;
const gone = `gone-${randomUUID().slice(0, 8)}.myshopify.com`;
const live = `live-${randomUUID().slice(0, 8)}.myshopify.com`;

let redis: Redis;
let kafka: Kafka;
let gateway: RunningGateway;

function delivery(shop: string, topic = 'orders/create', body = orderBody('820982911946154508')) {
  const d = signedDelivery(body, { topic });
  d.headers['x-shopify-shop-domain'] = shop;
  return d;
}

async function dropped(target: RunningGateway): Promise<number> {
  const text = await (await fetch(`${target.url}/metrics`)).text();
  const match = /^shopwire_webhooks_dropped_total\{reason="shop_uninstalled"[^}]*\} (\S+)$/m.exec(
    text,
  );
  return Number(match?.[1] ?? NaN);
}

/** Which of these webhook ids reached `topic` (read from where it stood at `from`). */
async function written(
  topic: string,
  from: Map<number, string>,
  ids: string[],
  expected: number,
  timeoutMs = 20_000,
) {
  const found = await collectMessages(kafka, topic, {
    from,
    filter: (m) => ids.includes(headerValue(m, 'shopify-webhook-id') ?? ''),
    done: (messages) => messages.length >= expected,
    timeoutMs,
  });
  return found.map((f) => headerValue(f.message, 'shopify-webhook-id'));
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  await redis.sadd(KEY, gone);
  kafka = testKafka();
  gateway = await startGateway({
    REDIS_URL,
    UNINSTALLED_SHOPS_KEY: KEY,
    UNINSTALLED_SHOPS_CACHE_MS: '300',
  });
});

afterAll(async () => {
  await gateway?.close();
  await redis.del(KEY);
  await redis.quit();
});

it('acknowledges and drops an uninstalled shop’s webhooks, counted; other shops are written', async () => {
  const from = await topicPositions(kafka, ShopifyKafkaTopic.Orders);
  const before = await dropped(gateway);
  const toGone = [delivery(gone), delivery(gone, 'orders/updated')];
  const toLive = delivery(live);
  for (const d of toGone) {
    const response = await post(gateway.url, d);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'dropped' });
  }
  const response = await post(gateway.url, toLive);
  expect(await response.json()).toEqual({ status: 'accepted' });
  expect((await dropped(gateway)) - before).toBe(2);
  const ids = [...toGone, toLive].map((d) => d.webhookId);
  // waits for one more than should come, so a dropped one written late would be seen
  expect(await written(ShopifyKafkaTopic.Orders, from, ids, 2, 4000)).toEqual([toLive.webhookId]);
});

it('still delivers compliance and app/* topics of an uninstalled shop', async () => {
  const from = await topicPositions(kafka, ShopifyKafkaTopic.Compliance);
  const passing = [
    delivery(gone, 'app/uninstalled', Buffer.from(`{"id":1,"myshopify_domain":"${gone}"}`)),
    delivery(gone, 'shop/redact', Buffer.from(`{"shop_id":954889,"shop_domain":"${gone}"}`)),
    delivery(
      gone,
      'customers/redact',
      Buffer.from(
        `{"shop_id":954889,"shop_domain":"${gone}","customer":{"id":191167},"orders_to_redact":[]}`,
      ),
    ),
  ];
  for (const d of passing)
    expect(await (await post(gateway.url, d)).json()).toEqual({ status: 'accepted' });
  const ids = passing.map((d) => d.webhookId);
  expect(new Set(await written(ShopifyKafkaTopic.Compliance, from, ids, 3))).toEqual(new Set(ids));
});

it('delivers again soon after the shop leaves the set (reinstall)', async () => {
  expect(await (await post(gateway.url, delivery(gone))).json()).toEqual({ status: 'dropped' });
  await redis.srem(KEY, gone);
  await new Promise((r) => setTimeout(r, 400)); // past the 300 ms cache: the next one asks again
  expect(await (await post(gateway.url, delivery(gone))).json()).toEqual({ status: 'accepted' });
  await redis.sadd(KEY, gone);
});

it('drops the first webhook after an uninstall of a shop quiet for longer than the cache', async () => {
  const quiet = `quiet-${randomUUID().slice(0, 8)}.myshopify.com`;
  expect(await (await post(gateway.url, delivery(quiet))).json()).toEqual({ status: 'accepted' });
  await redis.sadd(KEY, quiet);
  await new Promise((r) => setTimeout(r, 400)); // its "installed" answer is now past the cache
  const before = await dropped(gateway);
  expect(await (await post(gateway.url, delivery(quiet))).json()).toEqual({ status: 'dropped' });
  expect((await dropped(gateway)) - before).toBe(1);
  await redis.srem(KEY, quiet);
});

describe('with Redis unreachable or hung', () => {
  let hung: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    hung = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => hung.close(r));
  });

  it.each([
    ['refused', async () => 'redis://127.0.0.1:1'],
    ['hung', async () => `redis://127.0.0.1:${(hung.address() as { port: number }).port}`],
  ])('Redis %s: every webhook is written (fail open), none answered 503', async (_how, url) => {
    const degraded = await startGateway({ REDIS_URL: await url(), UNINSTALLED_SHOPS_KEY: KEY });
    try {
      const from = await topicPositions(kafka, ShopifyKafkaTopic.Orders);
      const deliveries = Array.from({ length: 10 }, (_, i) => delivery(i % 2 ? live : gone));
      const started = performance.now();
      for (const d of deliveries) {
        const response = await post(degraded.url, d);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ status: 'accepted' });
      }
      // at most one check waits for its timeout (50 ms); then Redis is left alone for a while
      expect(performance.now() - started).toBeLessThan(5000);
      const ids = deliveries.map((d) => d.webhookId);
      expect(await written(ShopifyKafkaTopic.Orders, from, ids, 10)).toHaveLength(10);
      expect(await dropped(degraded)).toBe(0);
    } finally {
      await degraded.close();
    }
  });
});
