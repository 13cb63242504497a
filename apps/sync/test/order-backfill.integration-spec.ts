import {
  ConsumerGroup,
  JobQueue,
  jobsTopicOf,
  ShopifyKafkaTopic,
  SUBSCRIPTIONS,
} from '@shopwire/contracts';
import { isJsonObject, parseShopifyJson, type ShopifyJson } from '@shopwire/shopify';
import {
  startGroupAtEnd as startGroupAtEndOf,
  startSimulatorProcess,
  type SimulatorProcess,
} from '@shopwire/testing';
import type { Kafka } from 'kafkajs';
import { createHmac, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { backfillWebhookId } from '../src/jobs/backfill-envelope';
import { startBuiltService, type BuiltService } from './built-service';
import {
  DATABASE_URL,
  startApp,
  startGroupAtEnd,
  testKafka,
  TOKEN,
  waitFor,
  type RunningApp,
} from './sync-harness';

// Real Kafka, Postgres and Redis; the simulator, the gateway and the order service as their own
// processes (`npm run build` first); sync in process. A shop's orders are taken from the
// simulator's Admin API, about 70 % delivered as signed webhooks through the gateway (some in an
// older state, one in a state newer than the simulator's), the rest dropped; then order-backfill
// runs through `POST /jobs` and the order service must hold every order once, newest state.

const SECRET = 'backfill-it-webhook-secret';
const ORDER_TOKEN = 'backfill-it-order-token-0123456789';
const ORDERS = 60;
const VERSION = '2026-01';

interface JobView {
  status: string;
  progress: { processed: number; total: number | null } | null;
}

interface SimOrder {
  id: string;
  updatedAt: string;
  json: Record<string, ShopifyJson>;
}

async function takeCommitted(pool: Pool, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

describe('order-backfill', () => {
  const shop = `bf-${randomUUID().slice(0, 8)}.myshopify.com`;
  let sim: SimulatorProcess;
  let gateway: BuiltService;
  let order: BuiltService;
  let sync: RunningApp;
  let kafka: Kafka;
  let pool: Pool;
  let simOrders: SimOrder[];
  const orderGroup = `order-bf-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .createTopics({
        topics: [{ topic: jobsTopicOf(JobQueue.Sync), numPartitions: 6, replicationFactor: 1 }],
      })
      .catch(() => undefined); // already there
    await admin.disconnect();
    await startGroupAtEndOf(kafka, orderGroup, SUBSCRIPTIONS[ConsumerGroup.Order]);
    pool = new Pool({ connectionString: DATABASE_URL, max: 2 });

    sim = await startSimulatorProcess();
    expect(
      (await sim.call('PUT', `/sim/admin/shops/${shop}`, { plan: 'plus', orders: ORDERS })).status,
    ).toBe(200);
    gateway = await startBuiltService('gateway', { SHOPIFY_WEBHOOK_SECRETS: SECRET });
    order = await startBuiltService('order', {
      API_TOKENS: `it:${ORDER_TOKEN}`,
      RUN_MIGRATIONS: 'true',
      ORDER_CONSUMER_GROUP: orderGroup,
      DATABASE_URL,
    });
    const syncGroup = `sync-bf-${randomUUID().slice(0, 8)}`;
    await startGroupAtEnd(kafka, syncGroup);
    sync = await startApp(syncGroup, {
      RUN_MIGRATIONS: 'true',
      JOBS_CONSUMER_GROUP: `sync-jobs-bf-${randomUUID().slice(0, 8)}`,
      SHOPIFY_ADMIN_URL: `${sim.baseUrl}/shops/{shop}/admin/api/{version}`,
      SHOPIFY_ACCESS_TOKENS: `${shop}:shpat_backfill_it`,
      SHOPIFY_API_VERSION: VERSION,
    });

    // The shop's orders as the Admin API has them (the test's own read, not the job's).
    const reply = await fetch(
      `${sim.baseUrl}/shops/${shop}/admin/api/${VERSION}/orders.json?limit=250&status=any`,
      { headers: { 'x-shopify-access-token': 'test' } },
    );
    const body = parseShopifyJson(await reply.text());
    if (!isJsonObject(body) || !Array.isArray(body.orders)) throw new Error('no orders');
    simOrders = body.orders.filter(isJsonObject).map((json) => ({
      id: String(json.id),
      updatedAt: String(json.updated_at),
      json,
    }));
    expect(simOrders).toHaveLength(ORDERS);
  }, 240_000);

  afterAll(async () => {
    await sync?.close();
    await order?.stop();
    await gateway?.stop();
    await sim?.stop();
    await pool?.end();
  });

  async function deliver(json: Record<string, ShopifyJson>, topic: string): Promise<void> {
    const body = JSON.stringify(json);
    const response = await fetch(`${gateway.url}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-shop-domain': shop,
        'x-shopify-api-version': VERSION,
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-triggered-at': new Date().toISOString(),
        'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
      },
      body,
    });
    expect(response.status).toBe(200);
  }

  const shift = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

  async function submitBackfill(): Promise<string> {
    const response = await sync.app.inject({
      method: 'POST',
      url: '/jobs',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: {
        type: 'order-backfill',
        params: { shop, since: '2000-01-01T00:00:00Z', page_size: 25 },
      },
    });
    expect(response.statusCode).toBe(202);
    return (JSON.parse(response.body) as { id: string }).id;
  }

  async function finished(id: string): Promise<JobView> {
    let job: JobView = { status: 'queued', progress: null };
    await waitFor(
      async () => {
        job = (await sync.get(`/jobs/${id}`)).json() as JobView;
        return ['succeeded', 'failed', 'cancelled'].includes(job.status);
      },
      'backfill job to finish',
      120_000,
    );
    return job;
  }

  const backfillIds = () => simOrders.map((o) => backfillWebhookId(o.id, o.updatedAt));
  const appliedBackfills = () =>
    takeCommitted(pool, 'SELECT count(*) AS n FROM orders.inbox WHERE event_id = ANY($1)', [
      backfillIds(),
    ]);

  it('brings every missed order in once, newest state, and a re-run doubles nothing', async () => {
    // ~70 % delivered: every third of those in an older state; the first one newer than the sim.
    const delivered = simOrders.filter((_, i) => i % 10 < 7);
    const newer = delivered[0]!;
    for (const [i, o] of delivered.entries()) {
      if (o === newer) {
        await deliver({ ...o.json, updated_at: shift(o.updatedAt, 3_600_000) }, 'orders/updated');
      } else if (i % 3 === 0) {
        await deliver({ ...o.json, updated_at: shift(o.updatedAt, -86_400_000) }, 'orders/create');
      } else {
        await deliver(o.json, 'orders/create');
      }
    }
    await waitFor(
      async () =>
        (await takeCommitted(
          pool,
          'SELECT count(*) AS n FROM orders.orders WHERE shop_domain = $1',
          [shop],
        )) === delivered.length,
      'the delivered orders in the order service',
      120_000,
    );

    const first = await finished(await submitBackfill());
    expect(first.status).toBe('succeeded');
    expect(first.progress).toEqual({ processed: ORDERS, total: ORDERS });
    await waitFor(
      async () => (await appliedBackfills()) === ORDERS,
      'backfilled orders applied',
      120_000,
    );

    const rows = async () =>
      (
        await pool.query<{ id: string; updated_at: Date }>(
          'SELECT id::text AS id, updated_at FROM orders.orders WHERE shop_domain = $1',
          [shop],
        )
      ).rows;
    const expected = new Map(
      simOrders.map((o) => [
        o.id,
        o === newer ? shift(o.updatedAt, 3_600_000) : new Date(o.updatedAt).toISOString(),
      ]),
    );
    const check = async () => {
      const stored = await rows();
      expect(stored).toHaveLength(ORDERS);
      expect(new Map(stored.map((r) => [r.id, r.updated_at.toISOString()]))).toEqual(expected);
    };
    await check();
    const lineItems = () =>
      takeCommitted(
        pool,
        'SELECT count(*) AS n FROM orders.order_line_items WHERE shop_domain = $1',
        [shop],
      );
    const itemsAfterFirst = await lineItems();
    const outboxAfterFirst = await takeCommitted(
      pool,
      'SELECT count(*) AS n FROM sync.outbox WHERE key LIKE $1',
      [`${shop}/%`],
    );
    expect(outboxAfterFirst).toBe(ORDERS);

    // Again: the same webhook ids, dropped by the order service's inbox.
    const second = await finished(await submitBackfill());
    expect(second.status).toBe('succeeded');
    expect(second.progress).toEqual({ processed: ORDERS, total: ORDERS });
    await waitFor(
      async () =>
        (await takeCommitted(
          pool,
          'SELECT count(*) AS n FROM sync.outbox WHERE key LIKE $1 AND sent_at IS NULL',
          [`${shop}/%`],
        )) === 0,
      'the second run published',
      60_000,
    );
    // Every partition of the orders topic read past the second run's messages by the order service.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(ShopifyKafkaTopic.Orders);
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({
            groupId: orderGroup,
            topics: [ShopifyKafkaTopic.Orders],
          });
          return ends.every(({ partition, offset }) => {
            const at = committed?.partitions.find((p) => p.partition === partition)?.offset;
            return at !== undefined && BigInt(at) >= BigInt(offset);
          });
        },
        'the order service to read past the second run',
        120_000,
      );
    } finally {
      await admin.disconnect();
    }
    await check();
    expect(await appliedBackfills()).toBe(ORDERS);
    expect(await lineItems()).toBe(itemsAfterFirst);
  }, 400_000);

  it('refuses bad params with 400 and stores nothing', async () => {
    const response = await sync.app.inject({
      method: 'POST',
      url: '/jobs',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: { type: 'order-backfill', params: { shop: 'not-a-shop', since: 'yesterday' } },
    });
    expect(response.statusCode).toBe(400);
  });
});
