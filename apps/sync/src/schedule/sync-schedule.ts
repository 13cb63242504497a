import type { JobRecord, Submission } from '@shopwire/jobs';
import { Scheduler, type ScheduledTask, type Tick } from '@shopwire/scheduler';
import type { Logger, Registry } from '@shopwire/observability';
import type { DataSource, EntityManager } from 'typeorm';
import type { ScheduleSettings } from './schedule-config';
import type { ScheduleMetrics } from './schedule.metrics';
import {
  backfillSince,
  INVENTORY_RECONCILE_SCHEDULE,
  ORDER_BACKFILL_SCHEDULE,
  scheduledJobKey,
} from './schedule-plan';
import type { ShopInstallationsRepository } from './shop-installations.repository';

/** What the schedule needs of the jobs runtime (`JobsRuntime` has it). */
export interface ScheduledJobs {
  validate(body: unknown): Submission;
  submitOnce(
    submission: Extract<Submission, { ok: true }>,
    options: { idempotencyKey: string; submittedBy: string | null; manager?: EntityManager },
  ): Promise<{ job: JobRecord; created: boolean }>;
}

export interface SyncScheduleOptions {
  dataSource: DataSource;
  jobs: ScheduledJobs;
  installations: ShopInstallationsRepository;
  metrics: ScheduleMetrics;
  logger: Logger;
  settings: ScheduleSettings;
  registry?: Registry;
  owner?: string;
}

/**
 * Sync's scheduled reconciliation: per installed shop, an order backfill over a sliding,
 * overlapping window and an inventory reconciliation, submitted as the existing job types (their
 * Admin API calls go at `reporting` priority, behind webhook-driven work). One replica runs each
 * slot (libs/scheduler); the submissions commit with the tick, one job per shop and slot.
 */
export class SyncSchedule {
  readonly scheduler: Scheduler;
  private readonly log: Logger;

  constructor(private readonly options: SyncScheduleOptions) {
    const { settings } = options;
    this.log = options.logger.child({ component: 'sync-schedule' });
    const tasks: ScheduledTask[] = [
      {
        name: ORDER_BACKFILL_SCHEDULE,
        spec: { everyMs: settings.orderBackfill.everyMs },
        run: (tick) =>
          this.submitForEachShop(tick, (shop) => ({
            type: 'order-backfill',
            params: { shop, since: backfillSince(tick, settings.orderBackfill).toISOString() },
          })),
      },
      {
        name: INVENTORY_RECONCILE_SCHEDULE,
        spec: settings.inventoryReconcile,
        run: (tick) =>
          this.submitForEachShop(tick, (shop) => ({
            type: 'inventory-reconcile',
            params: { shop },
          })),
      },
    ];
    this.scheduler = new Scheduler({
      dataSource: options.dataSource,
      tasks,
      logger: options.logger,
      pollMs: settings.pollMs,
      registry: options.registry,
      owner: options.owner,
    });
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  private async submitForEachShop(
    tick: Tick,
    body: (shop: string) => { type: string; params: unknown },
  ): Promise<void> {
    const { jobs, installations, metrics } = this.options;
    const shops = await installations.installedForTick(tick.manager);
    let submitted = 0;
    for (const shop of shops) {
      const submission = jobs.validate(body(shop));
      if (!submission.ok) {
        // One shop the job refuses (its domain, say) must not hold up the others' slot.
        metrics.scheduledJobs.inc({ schedule: tick.name, result: 'invalid' });
        this.log.warn(
          { schedule: tick.name, shop, errors: submission.errors },
          'scheduled job refused; skipped for this shop',
        );
        continue;
      }
      const { created } = await jobs.submitOnce(submission, {
        idempotencyKey: scheduledJobKey(tick.name, shop, tick.slot),
        submittedBy: `schedule:${tick.name}`,
        manager: tick.manager,
      });
      metrics.scheduledJobs.inc({
        schedule: tick.name,
        result: created ? 'submitted' : 'existing',
      });
      if (created) submitted++;
    }
    this.log.info(
      { schedule: tick.name, slot: tick.slot.toISOString(), shops: shops.length, submitted },
      'scheduled jobs submitted',
    );
  }
}
