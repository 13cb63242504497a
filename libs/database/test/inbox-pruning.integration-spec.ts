import { createLogger } from '@shopwire/observability';
import { Registry } from 'prom-client';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  createSchemaDataSource,
  InboxPruner,
  InboxRetentionTooShortError,
  inboxPruningSettings,
  MIN_INBOX_RETENTION_MS,
  pruneInbox,
} from '../src';

// Inbox pruning against real Postgres, in a throwaway schema with a service's inbox table: old
// rows go in batches; a row inside Shopify's redelivery window (48 h + 24 h margin) never does,
// whatever retention is asked for.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `inbox_prune_${randomUUID().slice(0, 8)}`;
const HOUR = 3_600_000;

let dataSource: DataSource;

beforeAll(async () => {
  dataSource = createSchemaDataSource({ url: DATABASE_URL, schema, poolSize: 2 });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.query(`CREATE TABLE "${schema}".inbox (
    consumer text NOT NULL, event_id text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, event_id))`);
  await dataSource.query(`CREATE INDEX ON "${schema}".inbox (processed_at)`);
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await dataSource.destroy();
});

beforeEach(async () => {
  await dataSource.query(`TRUNCATE "${schema}".inbox`);
});

/** `count` rows processed `ageMs` ago, ids `<prefix>-<n>`. */
async function rows(prefix: string, count: number, ageMs: number): Promise<void> {
  await dataSource.query(
    `INSERT INTO "${schema}".inbox (consumer, event_id, processed_at)
     SELECT 'order', $1 || '-' || n, now() - make_interval(secs => $2::float8 / 1000)
       FROM generate_series(1, $3) AS n`,
    [prefix, ageMs, count],
  );
}

async function remaining(): Promise<string[]> {
  const result = (await dataSource.query(
    `SELECT event_id FROM "${schema}".inbox ORDER BY event_id`,
  )) as { event_id: string }[];
  return result.map((r) => r.event_id);
}

/** The rows a run must keep: inside the window, right at its edge, and fresh. */
async function youngRows(): Promise<string[]> {
  await rows('edge', 1, MIN_INBOX_RETENTION_MS - 60_000); // 71 h 59 min
  await rows('window', 2, 47 * HOUR);
  await rows('fresh', 1, 60_000);
  return ['edge-1', 'fresh-1', 'window-1', 'window-2'];
}

describe('inbox pruning', () => {
  it('deletes rows past the retention in batches and keeps every younger row', async () => {
    const young = await youngRows();
    await rows('old', 7, 15 * 24 * HOUR);
    await rows('past-window', 2, MIN_INBOX_RETENTION_MS + HOUR); // 73 h: past the floor, within 14 d

    const result = await pruneInbox(dataSource, {
      retentionMs: 14 * 24 * HOUR,
      batchSize: 3,
      maxBatches: 100,
    });
    expect(result).toEqual({ deleted: 7, batches: 3 }); // 3 + 3 + 1
    expect(await remaining()).toEqual(['past-window-1', 'past-window-2', ...young].sort());
  });

  it('stops after maxBatches; the next run carries on', async () => {
    await rows('old', 7, 30 * 24 * HOUR);
    const options = { retentionMs: MIN_INBOX_RETENTION_MS, batchSize: 2, maxBatches: 2 };
    expect(await pruneInbox(dataSource, options)).toEqual({ deleted: 4, batches: 2 });
    expect(await remaining()).toHaveLength(3);
    expect(await pruneInbox(dataSource, options)).toEqual({ deleted: 3, batches: 2 });
    expect(await remaining()).toEqual([]);
  });

  it('cannot delete a row inside the redelivery window: a shorter retention is refused before any SQL', async () => {
    const young = await youngRows();
    for (const retentionMs of [0, HOUR, 48 * HOUR, MIN_INBOX_RETENTION_MS - 1]) {
      await expect(
        pruneInbox(dataSource, { retentionMs, batchSize: 100, maxBatches: 10 }),
      ).rejects.toBeInstanceOf(InboxRetentionTooShortError);
    }
    // at exactly the floor, the row one minute short of it stays
    expect(
      await pruneInbox(dataSource, {
        retentionMs: MIN_INBOX_RETENTION_MS,
        batchSize: 100,
        maxBatches: 10,
      }),
    ).toEqual({ deleted: 0, batches: 1 });
    expect(await remaining()).toEqual(young);
  });

  it('refuses INBOX_RETENTION_HOURS inside the window at start, naming it; 72 h and more accepted', () => {
    expect(() => inboxPruningSettings({ INBOX_RETENTION_HOURS: '48' })).toThrow(
      /INBOX_RETENTION_HOURS 48 h is inside Shopify's redelivery window.*72 h/,
    );
    expect(() => inboxPruningSettings({ INBOX_RETENTION_HOURS: '71' })).toThrow(
      InboxRetentionTooShortError,
    );
    expect(inboxPruningSettings({ INBOX_RETENTION_HOURS: '72' }).retentionMs).toBe(72 * HOUR);
    expect(inboxPruningSettings({})).toEqual({
      enabled: true,
      retentionMs: 14 * 24 * HOUR,
      batchSize: 5000,
      maxBatches: 200,
      intervalMs: HOUR,
    });
  });

  it('the periodic pruner counts what it deleted', async () => {
    await rows('old', 5, 20 * 24 * HOUR);
    await rows('fresh', 1, 60_000);
    const registry = new Registry();
    const pruner = new InboxPruner({
      dataSource,
      settings: inboxPruningSettings({ INBOX_PRUNE_BATCH_SIZE: '2' }),
      logger: createLogger('inbox-prune-it', 'silent'),
      registry,
    });
    expect(await pruner.runOnce()).toEqual({ deleted: 5, batches: 3 });
    const metric = await registry.getSingleMetric('shopwire_inbox_pruned_total')!.get();
    expect(metric.values).toEqual([expect.objectContaining({ labels: { schema }, value: 5 })]);
    expect(await remaining()).toEqual(['fresh-1']);
    await pruner.stop();
  });
});
