import { createSchemaDataSource, outboxTableSql } from '@shopwire/database';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { jobsKeysSql, jobsTableSql, JobStore } from '../src';
import { DATABASE_URL } from './fixtures/runtime';

// Real Postgres, a schema of this run's own; no Kafka (dispatches stay in the outbox).
const SCHEMA = `jobs_keys_it_${randomUUID().slice(0, 8)}`;
const TOPIC = 'shopwire.jobs.keys-it.v1';
const shopA = 'keys-a.myshopify.com';
const shopB = 'keys-b.myshopify.com';

describe('idempotent submissions and cancelling a shop', () => {
  const sources: DataSource[] = [];
  let store: JobStore;

  async function source(): Promise<DataSource> {
    const dataSource = createSchemaDataSource({ url: DATABASE_URL, schema: SCHEMA, poolSize: 3 });
    await dataSource.initialize();
    sources.push(dataSource);
    return dataSource;
  }

  const outboxRows = async (): Promise<number> =>
    Number((await sources[0].query(`SELECT count(*) AS n FROM "${SCHEMA}".outbox`))[0].n);

  beforeAll(async () => {
    const db = await source();
    await db.query(`CREATE SCHEMA "${SCHEMA}"`);
    for (const sql of [
      ...jobsTableSql(SCHEMA).up,
      ...outboxTableSql(SCHEMA).up,
      ...jobsKeysSql(SCHEMA).up,
    ])
      await db.query(sql);
    store = new JobStore(db, TOPIC);
  });

  afterAll(async () => {
    await sources[0].query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await Promise.all(sources.map((s) => s.destroy()));
  });

  const job = (shop: string, key: string) => ({
    type: 'order-backfill',
    params: { shop },
    maxAttempts: 3,
    submittedBy: 'schedule:test',
    idempotencyKey: key,
  });

  it('adds one job (and one dispatch) per key, also when submitted concurrently from two pools', async () => {
    const before = await outboxRows();
    const first = await store.submitOnce(job(shopA, 'k1'));
    const again = await store.submitOnce(job(shopA, 'k1'));
    expect(first.created).toBe(true);
    expect(again).toEqual({ job: first.job, created: false });
    expect(first.job.idempotencyKey).toBe('k1');

    const other = new JobStore(await source(), TOPIC);
    const racing = await Promise.all([
      store.submitOnce(job(shopA, 'k2')),
      other.submitOnce(job(shopA, 'k2')),
      store.submitOnce(job(shopA, 'k2')),
    ]);
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(racing.map((r) => r.job.id)).size).toBe(1);
    expect((await outboxRows()) - before).toBe(2);
  });

  it('joins the caller’s transaction: rolled back, nothing stays', async () => {
    await expect(
      sources[0].transaction(async (manager) => {
        await store.submitOnce(job(shopB, 'k-rolled-back'), manager);
        throw new Error('the caller failed');
      }),
    ).rejects.toThrow('the caller failed');
    expect((await store.submitOnce(job(shopB, 'k-rolled-back'))).created).toBe(true);
  });

  it('cancels a shop’s queued jobs, marks its running ones, and leaves other shops alone', async () => {
    const queued = (await store.submitOnce(job(shopA, 'k3'))).job;
    const running = (await store.submitOnce(job(shopA, 'k4'))).job;
    expect(await store.claim(running.id, 'worker-1', 60_000)).not.toBeNull();
    const otherShop = (await store.submitOnce(job(shopB, 'k5'))).job;

    const changed = await store.requestCancelForShop(shopA);
    const byId = new Map(changed.map((j) => [j.id, j]));
    expect(byId.get(queued.id)?.status).toBe('cancelled');
    expect(byId.get(running.id)).toMatchObject({ status: 'running' });
    expect(byId.get(running.id)?.cancelRequestedAt).not.toBeNull();
    expect(byId.has(otherShop.id)).toBe(false);
    expect((await store.get(otherShop.id))?.status).toBe('queued');
    // The worker notices at its next renewal.
    expect((await store.renew([running.id], 'worker-1', 60_000)).get(running.id)).toEqual({
      cancelRequested: true,
    });
    // Asked again: nothing more to change.
    expect(await store.requestCancelForShop(shopA)).toEqual([]);
  });
});
