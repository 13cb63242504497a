import { ConsumerGroup, JobQueue, jobsTopicOf, SUBSCRIPTIONS } from '@shopwire/contracts';
import {
  startGroupAtEnd as startGroupAtEndOf,
  startSimulatorProcess,
  type SimulatorProcess,
} from '@shopwire/testing';
import type { Kafka } from 'kafkajs';
import { createHmac, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
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

// Real Kafka, Postgres and Redis; the simulator, the gateway and the inventory service as their
// own processes (`npm run build` first); sync in process. 60 % of a shop's levels reach the
// inventory service correctly as signed webhooks, 20 % with a wrong quantity, 20 % not at all;
// inventory-reconcile reports that drift and its corrections make the service agree with Shopify.

const SECRET = 'reconcile-it-webhook-secret';
const INVENTORY_TOKEN = 'reconcile-it-inventory-token-0123';
const VERSION = '2026-01';
const PRODUCTS = 10; // 5 variants each, one item per variant, two locations: 100 levels

interface Level {
  item: string;
  location: string;
  available: number;
  updatedAt: string;
}

interface JobView {
  status: string;
  progress: { processed: number; total: number | null } | null;
  result: { summary: Record<string, unknown> } | null;
}

describe('inventory-reconcile', () => {
  const shop = `ir-${randomUUID().slice(0, 8)}.myshopify.com`;
  const inventoryGroup = `inventory-ir-${randomUUID().slice(0, 8)}`;
  let sim: SimulatorProcess;
  let gateway: BuiltService;
  let inventory: BuiltService;
  let sync: RunningApp;
  let kafka: Kafka;
  let pool: Pool;
  let levels: Level[];

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
    await startGroupAtEndOf(kafka, inventoryGroup, SUBSCRIPTIONS[ConsumerGroup.Inventory]);
    pool = new Pool({ connectionString: DATABASE_URL, max: 2 });

    sim = await startSimulatorProcess();
    const put = await sim.call('PUT', `/sim/admin/shops/${shop}`, {
      plan: 'plus',
      products: PRODUCTS,
    });
    expect(put.status).toBe(200);
    gateway = await startBuiltService('gateway', { SHOPIFY_WEBHOOK_SECRETS: SECRET });
    inventory = await startBuiltService('inventory', {
      API_TOKENS: `sync:${INVENTORY_TOKEN}`,
      RUN_MIGRATIONS: 'true',
      INVENTORY_CONSUMER_GROUP: inventoryGroup,
      DATABASE_URL,
    });
    const syncGroup = `sync-ir-${randomUUID().slice(0, 8)}`;
    await startGroupAtEnd(kafka, syncGroup);
    sync = await startApp(syncGroup, {
      RUN_MIGRATIONS: 'true',
      JOBS_CONSUMER_GROUP: `sync-jobs-ir-${randomUUID().slice(0, 8)}`,
      SHOPIFY_ADMIN_URL: `${sim.baseUrl}/shops/{shop}/admin/api/{version}`,
      SHOPIFY_ACCESS_TOKENS: `${shop}:shpat_reconcile_it`,
      SHOPIFY_API_VERSION: VERSION,
      INVENTORY_API_URL: inventory.url,
      INVENTORY_API_TOKEN: INVENTORY_TOKEN,
    });

    // Shopify's levels, read by the test itself (ids as text straight from the reply).
    const response = await fetch(`${sim.baseUrl}/shops/${shop}/admin/api/${VERSION}/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': 'test' },
      body: JSON.stringify({
        query: `{ inventoryItems(first: 50) { edges { node { legacyResourceId
          inventoryLevels(first: 5) { edges { node { updatedAt quantities(names: ["available"]) { quantity }
          location { legacyResourceId } } } } } } } }`,
      }),
    });
    const text = await response.text();
    type Reply = {
      data: {
        inventoryItems: {
          edges: {
            node: {
              legacyResourceId: string;
              inventoryLevels: {
                edges: {
                  node: {
                    updatedAt: string;
                    quantities: { quantity: number }[];
                    location: { legacyResourceId: string };
                  };
                }[];
              };
            };
          }[];
        };
      };
    };
    const reply = JSON.parse(text) as Reply;
    levels = reply.data.inventoryItems.edges.flatMap(({ node }) =>
      node.inventoryLevels.edges.map((level) => ({
        item: node.legacyResourceId,
        location: level.node.location.legacyResourceId,
        available: level.node.quantities[0]!.quantity,
        updatedAt: level.node.updatedAt,
      })),
    );
    expect(levels).toHaveLength(PRODUCTS * 5 * 2);
    expect(levels.every((l) => /^\d{16,}$/.test(l.item))).toBe(true);
  }, 240_000);

  afterAll(async () => {
    await sync?.close();
    await inventory?.stop();
    await gateway?.stop();
    await sim?.stop();
    await pool?.end();
  });

  async function deliver(level: Level, available: number): Promise<void> {
    const body =
      `{"inventory_item_id":${level.item},"location_id":${level.location},"available":${available},` +
      `"updated_at":"${level.updatedAt}"}`;
    const response = await fetch(`${gateway.url}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'inventory_levels/update',
        'x-shopify-shop-domain': shop,
        'x-shopify-api-version': VERSION,
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
      },
      body,
    });
    expect(response.status).toBe(200);
  }

  async function reconcile(): Promise<{ job: JobView; result: string }> {
    const submitted = await sync.app.inject({
      method: 'POST',
      url: '/jobs',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: { type: 'inventory-reconcile', params: { shop, page_size: 20 } },
    });
    expect(submitted.statusCode).toBe(202);
    const id = (JSON.parse(submitted.body) as { id: string }).id;
    let job = { status: 'queued' } as JobView;
    await waitFor(
      async () => {
        job = (await sync.get(`/jobs/${id}`)).json() as JobView;
        return ['succeeded', 'failed', 'cancelled'].includes(job.status);
      },
      'reconcile job to finish',
      120_000,
    );
    const result = await sync.app.inject({
      method: 'GET',
      url: `/jobs/${id}/result`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return { job, result: result.body };
  }

  const held = async () =>
    new Map(
      (
        await pool.query<{ k: string; available: number }>(
          `SELECT inventory_item_id::text || '/' || location_id::text AS k, available
             FROM inventory.levels WHERE shop_domain = $1`,
          [shop],
        )
      ).rows.map((r) => [r.k, r.available]),
    );

  it('reports missing and wrong levels, corrects them through the webhook path; a re-run finds none', async () => {
    const delivered = levels.filter((_, i) => i % 5 !== 4);
    for (const [i, level] of levels.entries()) {
      if (i % 5 === 4) continue; // never arrived
      await deliver(level, i % 5 === 3 ? level.available + 7 : level.available);
    }
    await waitFor(
      async () => (await held()).size === delivered.length,
      'levels delivered',
      120_000,
    );

    const first = await reconcile();
    expect(first.job.status).toBe('succeeded');
    expect(first.job.result?.summary).toEqual({
      items: PRODUCTS * 5,
      levels: levels.length,
      matching: levels.length * 0.6,
      drift: { missing: levels.length * 0.2, differs: levels.length * 0.2, extra: 0 },
      corrections: levels.length * 0.4,
    });
    const lines = first.result.trim().split('\n');
    expect(lines).toHaveLength(levels.length * 0.4 + 1);
    expect(JSON.parse(lines[0]!)).toHaveProperty('kind');

    const expected = new Map(levels.map((l) => [`${l.item}/${l.location}`, l.available]));
    await waitFor(
      async () => {
        const now = await held();
        return now.size === expected.size && [...expected].every(([k, v]) => now.get(k) === v);
      },
      'the inventory service to agree with Shopify',
      120_000,
    );

    const second = await reconcile();
    expect(second.job.status).toBe('succeeded');
    expect(second.job.result?.summary).toMatchObject({
      matching: levels.length,
      drift: { missing: 0, differs: 0, extra: 0 },
      corrections: 0,
    });
  }, 400_000);
});
