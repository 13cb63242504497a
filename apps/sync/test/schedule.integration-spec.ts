import {
  DomainTopic,
  installationVersion,
  ShopifyKafkaTopic,
  type ShopInstallationChangedEvent,
} from '@shopwire/contracts';
import {
  JOBS_RUNTIME,
  JobsRuntime,
  jobsSettings,
  type JobsRuntime as Runtime,
} from '@shopwire/jobs';
import { Registry } from '@shopwire/observability';
import { produceWebhooks } from '@shopwire/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createSyncDataSource, runSyncMigrations } from '../src/database/migrate';
import { inventoryReconcileParams } from '../src/jobs/inventory-reconcile.job';
import { orderBackfillParams } from '../src/jobs/order-backfill.job';
import { scheduleSettings, type ScheduleEnv } from '../src/schedule/schedule-config';
import { ScheduleMetrics } from '../src/schedule/schedule.metrics';
import { ShopInstallationsRepository } from '../src/schedule/shop-installations.repository';
import { SyncSchedule } from '../src/schedule/sync-schedule';
import {
  DATABASE_URL,
  logger,
  metricValue,
  startApp,
  startGroupAtEnd,
  testKafka,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './sync-harness';

// Real Kafka and Postgres. Sync in process with a 2 s backfill and a 3 s reconcile schedule; its
// consumer learns installed shops from shops.installation.changed.v1. The app's job worker is
// stopped so scheduled jobs stay queued where the test can see (and the uninstall cancel) them.
// Two more schedulers with pools of their own then compete with the app's for the same slots.

const BACKFILL_EVERY_S = 2;
const WINDOW_S = 5;
const RECONCILE_EVERY_S = 3;
const SCHEDULE_ENV: Record<keyof ScheduleEnv, string> = {
  SCHEDULE_ENABLED: 'true',
  SCHEDULE_POLL_MS: '100',
  SCHEDULE_ORDER_BACKFILL_INTERVAL_SECONDS: String(BACKFILL_EVERY_S),
  SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS: String(WINDOW_S),
  SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS: '3600',
  SCHEDULE_INVENTORY_RECONCILE_INTERVAL_SECONDS: String(RECONCILE_EVERY_S),
  SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS: '0',
};

interface JobRow {
  id: string;
  type: string;
  status: string;
  params: { shop: string; since?: string };
  idempotency_key: string;
  submitted_by: string;
  created_at: Date;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The slot a scheduled job stands for, from its idempotency key. */
const slotOf = (job: JobRow) => Date.parse(job.idempotency_key.slice(-24));

describe('scheduled reconciliation', () => {
  const shopA = uniqueShop();
  const shopB = uniqueShop();
  const group = `sync-sched-it-${randomUUID().slice(0, 8)}`;
  const versions = new Map<string, number>();
  let kafka: Kafka;
  let producer: Producer;
  let sync: RunningApp;
  let db: DataSource;
  const extras: { schedule: SyncSchedule; dataSource: DataSource; registry: Registry }[] = [];

  async function publish(
    shop: string,
    type: ShopInstallationChangedEvent['type'],
    generation: number,
    revision?: number,
  ): Promise<void> {
    const rev = revision ?? (versions.get(`${shop}/${generation}`) ?? 0) + 1;
    versions.set(`${shop}/${generation}`, rev);
    const status =
      type === 'installation.uninstalled'
        ? 'uninstalled'
        : type === 'installation.reauth_required'
          ? 'reauth_required'
          : 'installed';
    const event: ShopInstallationChangedEvent = {
      eventId: randomUUID(),
      type,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      shopDomain: shop,
      aggregateId: shop,
      aggregateVersion: installationVersion(generation, rev),
      causationId: null,
      data: { status, scopes: ['read_orders'], grantType: 'authorization_code', generation },
    };
    await producer.send({
      topic: DomainTopic.ShopInstallationChanged,
      acks: -1,
      messages: [{ key: shop, value: JSON.stringify(event) }],
    });
  }

  async function status(shop: string): Promise<string | null> {
    const rows: { status: string }[] = await db.query(
      `SELECT status FROM sync.shop_installations WHERE shop_domain = $1`,
      [shop],
    );
    return rows[0]?.status ?? null;
  }

  async function jobsOf(shop: string, type?: string): Promise<JobRow[]> {
    return db.query(
      `SELECT id, type, status, params, idempotency_key, submitted_by, created_at FROM sync.jobs
       WHERE params->>'shop' = $1 AND idempotency_key LIKE 'schedule:%'
         AND ($2::text IS NULL OR type = $2) ORDER BY idempotency_key`,
      [shop, type ?? null],
    );
  }

  /** The backfills submitted when the shop was (re)installed, one per generation. */
  async function installJobsOf(shop: string): Promise<JobRow[]> {
    return db.query(
      `SELECT id, type, status, params, idempotency_key, submitted_by, created_at FROM sync.jobs
       WHERE params->>'shop' = $1 AND idempotency_key LIKE 'install:%' ORDER BY created_at`,
      [shop],
    );
  }

  async function active(shop: string): Promise<boolean | null> {
    const rows: { active: boolean }[] = await db.query(
      `SELECT active FROM sync.shops WHERE shop_domain = $1`,
      [shop],
    );
    return rows[0]?.active ?? null;
  }

  /** Every slot from the first to the last scheduled job has exactly one job. */
  function expectOnePerSlot(jobs: JobRow[], everyS: number): number[] {
    const slots = jobs.map(slotOf).sort((a, b) => a - b);
    expect(new Set(slots).size).toBe(slots.length);
    slots.slice(1).forEach((slot, i) => expect(slot - slots[i]).toBe(everyS * 1000));
    return slots;
  }

  async function extraScheduler(owner: string): Promise<SyncSchedule> {
    const dataSource = createSyncDataSource({ url: DATABASE_URL, poolSize: 2 });
    await dataSource.initialize();
    // The jobs runtime only validates and submits here: it is never started.
    const jobs = new JobsRuntime({
      service: 'sync',
      dataSource,
      logger,
      handlers: [
        {
          type: 'order-backfill',
          params: orderBackfillParams,
          run: () => Promise.reject(new Error('not run here')),
        },
        {
          type: 'inventory-reconcile',
          params: inventoryReconcileParams,
          run: () => Promise.reject(new Error('not run here')),
        },
      ],
      settings: jobsSettings({}),
      runJobs: false,
    });
    const registry = new Registry();
    const schedule = new SyncSchedule({
      dataSource,
      jobs,
      installations: new ShopInstallationsRepository(dataSource),
      metrics: new ScheduleMetrics(registry),
      logger,
      settings: scheduleSettings({
        SCHEDULE_ENABLED: true,
        SCHEDULE_POLL_MS: 100,
        SCHEDULE_ORDER_BACKFILL_INTERVAL_SECONDS: BACKFILL_EVERY_S,
        SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS: WINDOW_S,
        SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS: 3600,
        SCHEDULE_INVENTORY_RECONCILE_INTERVAL_SECONDS: RECONCILE_EVERY_S,
        SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS: 0,
      }),
      registry,
      owner,
    });
    extras.push({ schedule, dataSource, registry });
    return schedule;
  }

  beforeAll(async () => {
    kafka = testKafka();
    db = createSyncDataSource({ url: DATABASE_URL, poolSize: 2 });
    await db.initialize();
    await runSyncMigrations(db);
    await startGroupAtEnd(kafka, group);
    producer = kafka.producer();
    await producer.connect();
    sync = await startApp(group, {
      ...SCHEDULE_ENV,
      JOBS_CONSUMER_GROUP: `${group}-jobs`,
    });
    // Scheduled jobs stay queued: this replica runs none.
    await sync.app.get<Runtime>(JOBS_RUNTIME).stop();
  });

  afterAll(async () => {
    // Leave no installed test shop behind for other runs' schedulers.
    await publish(shopA, 'installation.uninstalled', 9, 1).catch(() => undefined);
    await publish(shopB, 'installation.uninstalled', 9, 1).catch(() => undefined);
    await waitFor(
      async () =>
        (await status(shopA)) === 'uninstalled' && (await status(shopB)) === 'uninstalled',
      'test shops uninstalled',
      15_000,
    ).catch(() => undefined);
    await Promise.all(extras.map((e) => e.schedule.stop()));
    await Promise.all(extras.map((e) => e.dataSource.destroy()));
    await sync?.close();
    await producer?.disconnect();
    await db?.destroy();
  });

  it('submits a backfill and a reconcile per installed shop on each slot', async () => {
    const installedFrom = Date.now();
    await publish(shopA, 'installation.installed', 1);
    await publish(shopB, 'installation.installed', 1);
    await waitFor(
      async () => (await status(shopA)) === 'installed' && (await status(shopB)) === 'installed',
      'both shops installed',
    );
    // At once, with the installation, not at the next slot: one backfill over a window.
    for (const shop of [shopA, shopB]) {
      const [job, ...more] = await installJobsOf(shop);
      expect(more).toEqual([]);
      expect(job).toMatchObject({
        type: 'order-backfill',
        submitted_by: 'install:sync.order-backfill',
        idempotency_key: `install:sync.order-backfill:${shop}:1`,
      });
      const since = Date.parse(job!.params.since!);
      expect(since).toBeGreaterThanOrEqual(installedFrom - WINDOW_S * 1000);
      expect(since).toBeLessThanOrEqual(Date.now() - WINDOW_S * 1000);
    }
    await waitFor(
      async () =>
        (await jobsOf(shopA, 'order-backfill')).length >= 3 &&
        (await jobsOf(shopB, 'order-backfill')).length >= 3 &&
        (await jobsOf(shopA, 'inventory-reconcile')).length >= 2 &&
        (await jobsOf(shopB, 'inventory-reconcile')).length >= 2,
      'scheduled jobs for both shops',
      30_000,
    );
    for (const shop of [shopA, shopB]) {
      const backfills = await jobsOf(shop, 'order-backfill');
      expectOnePerSlot(backfills, BACKFILL_EVERY_S);
      for (const job of backfills) {
        expect(job).toMatchObject({
          status: 'queued',
          submitted_by: 'schedule:sync.order-backfill',
        });
        // An on-time slot reaches one window back: consecutive windows overlap.
        expect(Date.parse(job.params.since!)).toBe(slotOf(job) - WINDOW_S * 1000);
      }
      const reconciles = await jobsOf(shop, 'inventory-reconcile');
      expectOnePerSlot(reconciles, RECONCILE_EVERY_S);
      expect(reconciles.every((j) => j.status === 'queued')).toBe(true);
    }
  });

  it('runs each slot once with three schedulers competing', async () => {
    const before = (await jobsOf(shopB, 'order-backfill')).length;
    const beforeRuns = await tickRuns();
    for (const owner of ['extra-1', 'extra-2']) (await extraScheduler(owner)).start();
    await sleep(8_000);

    const afterRuns = await tickRuns();
    const backfills = await jobsOf(shopB, 'order-backfill');
    const slots = expectOnePerSlot(backfills, BACKFILL_EVERY_S);
    expect(slots.length - before).toBeGreaterThanOrEqual(3);
    expectOnePerSlot(await jobsOf(shopB, 'inventory-reconcile'), RECONCILE_EVERY_S);
    expectOnePerSlot(await jobsOf(shopA, 'order-backfill'), BACKFILL_EVERY_S);
    // Not only the unique key at work: the schedule itself ran once per slot (a tick and its
    // jobs commit together, so both snapshots agree).
    const newSlots = backfills.filter(
      (j) => slotOf(j) > beforeRuns.lastSlot && slotOf(j) <= afterRuns.lastSlot,
    ).length;
    expect(newSlots).toBeGreaterThanOrEqual(3);
    expect(afterRuns.runs - beforeRuns.runs).toBe(newSlots);
    // And the lease moved between replicas: the extra schedulers ran some of the slots.
    let extraRuns = 0;
    for (const { registry } of extras)
      extraRuns += await metricValue(registry, 'shopwire_scheduler_runs_total', { outcome: 'ran' });
    expect(extraRuns).toBeGreaterThan(0);
  });

  it('cancels an uninstalled shop’s pending jobs and schedules nothing more for it; a reinstall resumes', async () => {
    // A fresh slot's jobs are queued (another run's worker on the shared dispatch topic may
    // have taken older ones).
    await waitFor(
      async () => (await jobsOf(shopA)).some((j) => j.status === 'queued'),
      'a queued job for shop A',
    );
    const cancelledBefore = await metricValue(
      sync.registry,
      'shopwire_sync_uninstall_cancelled_jobs_total',
    );
    const uninstalling = Date.now();
    await publish(shopA, 'installation.uninstalled', 1);
    const uninstalled = Date.now();
    await waitFor(async () => (await status(shopA)) === 'uninstalled', 'shop A uninstalled');
    const cancelledAt = Date.now();
    // The shops service's uninstall also stops the shop's ERP order path.
    expect(await active(shopA)).toBe(false);
    const afterUninstall = await jobsOf(shopA);
    expect(afterUninstall.filter((j) => j.status === 'queued' || j.status === 'running')).toEqual(
      [],
    );
    expect(afterUninstall.some((j) => j.status === 'cancelled')).toBe(true);
    expect(
      await metricValue(sync.registry, 'shopwire_sync_uninstall_cancelled_jobs_total'),
    ).toBeGreaterThan(cancelledBefore);

    // A late, older event does not bring the shop back.
    const stale = await metricValue(sync.registry, 'shopwire_sync_installation_events_total', {
      result: 'stale',
    });
    await publish(shopA, 'installation.token_rotated', 1, 1);
    await waitFor(
      async () =>
        (await metricValue(sync.registry, 'shopwire_sync_installation_events_total', {
          result: 'stale',
        })) > stale,
      'the stale event counted',
    );
    expect(await status(shopA)).toBe('uninstalled');

    const bBefore = (await jobsOf(shopB, 'order-backfill')).length;
    await sleep(3 * BACKFILL_EVERY_S * 1000);
    expect((await jobsOf(shopA)).length).toBe(afterUninstall.length);
    expect((await jobsOf(shopA)).every((j) => j.created_at.getTime() < cancelledAt)).toBe(true);
    expect((await jobsOf(shopB, 'order-backfill')).length).toBeGreaterThan(bBefore);

    // Reinstall: a new generation, backfilled back to the uninstall at once, scheduled again.
    await publish(shopA, 'installation.installed', 2);
    await waitFor(async () => (await status(shopA)) === 'installed', 'shop A reinstalled');
    const reinstallJob = (await installJobsOf(shopA)).find((j) => j.idempotency_key.endsWith(':2'));
    const since = Date.parse(reinstallJob!.params.since!);
    expect(since).toBeGreaterThanOrEqual(uninstalling);
    expect(since).toBeLessThanOrEqual(uninstalled);
    expect(await active(shopA)).toBe(true);
    await waitFor(
      async () => (await jobsOf(shopA)).some((j) => j.status === 'queued'),
      'shop A scheduled again',
      15_000,
    );

    // Shopify retrying the first installation's app/uninstalled now: the shops service counts it
    // stale and announces nothing; sync must not stop the reinstalled shop's order path either.
    const privacyBefore = await privacyRequests(shopA);
    await produceWebhooks(producer, ShopifyKafkaTopic.Compliance, [
      {
        shop: shopA,
        shopifyTopic: 'app/uninstalled',
        body: `{"id":1,"domain":"${shopA}","myshopify_domain":"${shopA}"}`,
        resourceId: null,
      },
    ]);
    await waitFor(
      async () => (await privacyRequests(shopA)) > privacyBefore,
      'the late app/uninstalled consumed',
    );
    expect(await active(shopA)).toBe(true);
    expect(await status(shopA)).toBe('installed');
  });

  async function privacyRequests(shop: string): Promise<number> {
    const rows: { n: string }[] = await db.query(
      `SELECT count(*) AS n FROM sync.privacy_requests WHERE shop_domain = $1 AND kind = 'app/uninstalled'`,
      [shop],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async function tickRuns(): Promise<{ runs: number; lastSlot: number }> {
    const rows: { runs: string; last_slot: Date }[] = await db.query(
      `SELECT runs, last_slot FROM sync.schedule_ticks
       WHERE name = 'sync.order-backfill' AND every_ms = $1 AND offset_ms = 0`,
      [BACKFILL_EVERY_S * 1000],
    );
    return { runs: Number(rows[0].runs), lastSlot: rows[0].last_slot.getTime() };
  }
});
