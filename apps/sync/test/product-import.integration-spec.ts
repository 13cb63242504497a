import { JobQueue, jobsTopicOf } from '@shopwire/contracts';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  startApp,
  startGroupAtEnd,
  testKafka,
  TOKEN,
  waitFor,
  type RunningApp,
} from './sync-harness';

// Real Kafka, Postgres and Redis, the simulator as a process (`npm run build` first), sync in
// process. A 200-product shop is imported through a bulk operation into the catalog mirror; the
// stale guard keeps a newer row; the cache is warmed; a second import changes nothing.

const PRODUCTS = 200;
const VERSION = '2026-01';

interface JobView {
  status: string;
  progress: { processed: number; total: number | null } | null;
  error: unknown;
  result: { summary: Record<string, unknown> } | null;
}

describe('product-import', () => {
  const shop = `pi-${randomUUID().slice(0, 8)}.myshopify.com`;
  let sim: SimulatorProcess;
  let sync: RunningApp;
  let kafka: Kafka;
  let pool: Pool;

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
    pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
    sim = await startSimulatorProcess();
    const put = await sim.call('PUT', `/sim/admin/shops/${shop}`, {
      plan: 'standard',
      products: PRODUCTS,
    });
    expect(put.status).toBe(200);
    const group = `sync-pi-${randomUUID().slice(0, 8)}`;
    await startGroupAtEnd(kafka, group);
    sync = await startApp(group, {
      RUN_MIGRATIONS: 'true',
      JOBS_CONSUMER_GROUP: `sync-jobs-pi-${randomUUID().slice(0, 8)}`,
      SHOPIFY_ADMIN_URL: `${sim.baseUrl}/shops/{shop}/admin/api/{version}`,
      SHOPIFY_ACCESS_TOKENS: `${shop}:shpat_import_it`,
      SHOPIFY_API_VERSION: VERSION,
      CACHE_KEY_PREFIX: `it-pi-${randomUUID().slice(0, 8)}`,
    });
  }, 180_000);

  afterAll(async () => {
    await sync?.close();
    await sim?.stop();
    await pool?.end();
  });

  async function runImport(): Promise<JobView> {
    const response = await sync.app.inject({
      method: 'POST',
      url: '/jobs',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: { type: 'product-import', params: { shop, batch_size: 50 } },
    });
    expect(response.statusCode).toBe(202);
    const id = (JSON.parse(response.body) as { id: string }).id;
    let job = { status: 'queued' } as JobView;
    await waitFor(
      async () => {
        job = (await sync.get(`/jobs/${id}`)).json() as JobView;
        return ['succeeded', 'failed', 'cancelled'].includes(job.status);
      },
      'import job to finish',
      120_000,
    );
    return job;
  }

  const count = async (sql: string) =>
    Number((await pool.query<{ n: string }>(sql, [shop])).rows[0]?.n ?? 0);

  it('imports every product and variant, keeps a newer row, warms the cache; a re-run changes nothing', async () => {
    // The simulator's view of one product, to plant a newer row for it in the mirror.
    const reply = await fetch(
      `${sim.baseUrl}/shops/${shop}/admin/api/${VERSION}/products.json?limit=1`,
      { headers: { 'x-shopify-access-token': 'test' } },
    );
    const text = await reply.text();
    const newerId = /"id":(\d+)/.exec(text)![1]!;
    await pool.query(
      `INSERT INTO sync.products (shop_domain, id, title, handle, status, updated_at, last_webhook_id)
       VALUES ($1, $2, 'newer than the import', 'newer', 'active', '2099-01-01T00:00:00Z', 'wh-newer')`,
      [shop, newerId],
    );

    const first = await runImport();
    expect(first.status).toBe('succeeded');
    expect(first.progress).toEqual({ processed: PRODUCTS * 6, total: PRODUCTS * 6 });
    expect(first.result?.summary).toMatchObject({
      products: PRODUCTS,
      objects: PRODUCTS * 6,
      applied: PRODUCTS - 1,
      unchanged: 1,
    });
    expect(await count('SELECT count(*) AS n FROM sync.products WHERE shop_domain = $1')).toBe(
      PRODUCTS,
    );
    // 5 variants each, except the planted newer row the import left alone (it has none).
    expect(
      await count('SELECT count(*) AS n FROM sync.product_variants WHERE shop_domain = $1'),
    ).toBe((PRODUCTS - 1) * 5);
    const kept = await pool.query<{ title: string }>(
      'SELECT title FROM sync.products WHERE shop_domain = $1 AND id = $2',
      [shop, newerId],
    );
    expect(kept.rows[0]?.title).toBe('newer than the import');
    // Ids above 2^53 intact: every variant id is one of the simulator's 18-digit ids.
    expect(
      await count(
        `SELECT count(*) AS n FROM sync.product_variants WHERE shop_domain = $1 AND length(id::text) < 18`,
      ),
    ).toBe(0);

    // Warmed: a product read right after the import is a cache hit.
    const other = await pool.query<{ id: string }>(
      'SELECT id::text AS id FROM sync.products WHERE shop_domain = $1 AND id <> $2 ORDER BY id DESC LIMIT 1',
      [shop, newerId],
    );
    const read = await sync.app.inject({
      method: 'GET',
      url: `/catalog/products/${other.rows[0]!.id}?shop=${shop}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers['x-cache']).toBe('hit');
    expect(read.body).toContain(`"${other.rows[0]!.id}"`);

    const before = await pool.query(
      'SELECT id, title, updated_at, last_webhook_id FROM sync.products WHERE shop_domain = $1 ORDER BY id',
      [shop],
    );
    const second = await runImport();
    expect(second.status).toBe('succeeded');
    expect(second.result?.summary).toMatchObject({
      products: PRODUCTS,
      applied: 0,
      unchanged: PRODUCTS,
    });
    const after = await pool.query(
      'SELECT id, title, updated_at, last_webhook_id FROM sync.products WHERE shop_domain = $1 ORDER BY id',
      [shop],
    );
    expect(after.rows).toEqual(before.rows);
    expect(
      await count('SELECT count(*) AS n FROM sync.product_variants WHERE shop_domain = $1'),
    ).toBe((PRODUCTS - 1) * 5);
  }, 300_000);
});
