import { JobQueue, jobsTopicOf } from '@shopwire/contracts';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { startBuiltService, type BuiltService } from './built-service';
import { DATABASE_URL, startGroupAtEnd, testKafka, waitFor } from './sync-harness';

// A sync process SIGKILLed in the middle of an order-backfill; a second process takes the job
// over when the lease expires and finishes it from the last committed cursor: every order's
// envelope is written to the outbox exactly once, none repeated and none skipped. Real Kafka,
// Postgres and Redis; the simulator and both sync processes built (`npm run build` first).

const TOKEN = 'backfill-resume-it-token-0123456789';
const ORDERS = 60;
const PAGE = 5;

interface JobView {
  status: string;
  attempts: number;
  error: unknown;
  progress: { processed: number; total: number | null } | null;
}

describe('order-backfill after a crash or through an outage', () => {
  const shop = `bfr-${randomUUID().slice(0, 8)}.myshopify.com`;
  let sim: SimulatorProcess;
  let pool: Pool;
  const running: BuiltService[] = [];

  beforeAll(async () => {
    const kafka = testKafka();
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
    expect(
      (await sim.call('PUT', `/sim/admin/shops/${shop}`, { plan: 'plus', orders: ORDERS })).status,
    ).toBe(200);
  }, 120_000);

  afterAll(async () => {
    for (const service of running) await service.stop();
    await sim?.stop();
    await pool?.end();
  });

  async function startSync(group: string, jobsGroup: string): Promise<BuiltService> {
    const service = await startBuiltService('sync', {
      DATABASE_URL,
      API_TOKENS: `it:${TOKEN}`,
      RUN_MIGRATIONS: 'true',
      SYNC_CONSUMER_GROUP: group,
      JOBS_CONSUMER_GROUP: jobsGroup,
      JOBS_LEASE_MS: '3000',
      JOBS_TICK_MS: '500',
      JOBS_REAP_INTERVAL_MS: '500',
      SHOPIFY_ADMIN_URL: `${sim.baseUrl}/shops/{shop}/admin/api/{version}`,
      // One token for every shop of the simulator (it checks only that one is sent).
      SHOPIFY_ACCESS_TOKEN: 'shpat_resume_it',
    });
    running.push(service);
    return service;
  }

  const call = async (service: BuiltService, path: string, init: RequestInit = {}) =>
    fetch(`${service.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });

  it('resumes from the checkpoint: each order published once', async () => {
    const group = `sync-bfr-${randomUUID().slice(0, 8)}`;
    const jobsGroup = `sync-jobs-bfr-${randomUUID().slice(0, 8)}`;
    await startGroupAtEnd(testKafka(), group);
    const first = await startSync(group, jobsGroup);
    // Slow pages, so the kill lands mid-job.
    await sim.call('PUT', '/sim/admin/faults', { shop, latencyMs: 300 });

    const submitted = await call(first, '/jobs', {
      method: 'POST',
      body: JSON.stringify({
        type: 'order-backfill',
        params: { shop, since: '2000-01-01T00:00:00Z', page_size: PAGE },
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    let job = { status: 'queued' } as JobView;
    await waitFor(
      async () => {
        job = (await (await call(first, `/jobs/${id}`)).json()) as JobView;
        return (job.progress?.processed ?? 0) >= PAGE * 2;
      },
      'the backfill to commit two pages',
      60_000,
    );
    await first.stop('SIGKILL');
    const atKill = job.progress!.processed;
    expect(atKill).toBeLessThan(ORDERS);
    await sim.call('DELETE', '/sim/admin/faults');

    const second = await startSync(group, jobsGroup);
    await waitFor(
      async () => {
        job = (await (await call(second, `/jobs/${id}`)).json()) as JobView;
        return ['succeeded', 'failed', 'cancelled'].includes(job.status);
      },
      'the backfill to finish on the second process',
      120_000,
    );
    expect(job.status).toBe('succeeded');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect(job.progress).toEqual({ processed: ORDERS, total: ORDERS });

    const { rows } = await pool.query<{ n: string; ids: string }>(
      `SELECT count(*) AS n, count(DISTINCT headers->>'shopify-webhook-id') AS ids
         FROM sync.outbox WHERE key LIKE $1`,
      [`${shop}/%`],
    );
    expect(Number(rows[0]!.n)).toBe(ORDERS);
    expect(Number(rows[0]!.ids)).toBe(ORDERS);
  }, 300_000);

  it('waits out an Admin API outage longer than the client retries, then finishes', async () => {
    const group = `sync-bfo-${randomUUID().slice(0, 8)}`;
    await startGroupAtEnd(testKafka(), group);
    const service = await startSync(group, `sync-jobs-bfo-${randomUUID().slice(0, 8)}`);
    const outageShop = `bfo-${randomUUID().slice(0, 8)}.myshopify.com`;
    await sim.call('PUT', `/sim/admin/shops/${outageShop}`, { plan: 'plus', orders: 20 });
    // More 503s than one call's six attempts: the shop's breaker opens and the job must wait.
    await sim.call('PUT', '/sim/admin/faults', { shop: outageShop, errorBurst: 7 });
    const submitted = await call(service, '/jobs', {
      method: 'POST',
      body: JSON.stringify({
        type: 'order-backfill',
        params: { shop: outageShop, since: '2000-01-01T00:00:00Z' },
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    let job = { status: 'queued' } as JobView;
    await waitFor(
      async () => {
        job = (await (await call(service, `/jobs/${id}`)).json()) as JobView;
        return ['succeeded', 'failed', 'cancelled'].includes(job.status);
      },
      'the backfill to finish after the outage',
      240_000,
    );
    expect({ status: job.status, error: job.error ?? null, attempts: job.attempts }).toEqual({
      status: 'succeeded',
      error: null,
      attempts: 1,
    });
    expect(job.progress).toEqual({ processed: 20, total: 20 });
    // Every 503 of the burst was answered to the job's calls.
    const faults = await sim.call<Record<string, { errorBurst: number }>>(
      'GET',
      '/sim/admin/faults',
    );
    expect(faults.json[outageShop]?.errorBurst ?? 0).toBe(0);
    await sim.call('DELETE', '/sim/admin/faults');
  }, 300_000);
});
