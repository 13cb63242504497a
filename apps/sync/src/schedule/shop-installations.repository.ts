import { Inject, Injectable, Optional } from '@nestjs/common';
import { JobQueue, jobsTopicOf } from '@shopwire/contracts';
import { JobStore, jobsSettings, type JobRecord } from '@shopwire/jobs';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_CONFIG, SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';
import { orderBackfillParams } from '../jobs/order-backfill.job';
import type { InstallationInput } from './installation-input';
import { scheduleSettings, type ScheduleSettings } from './schedule-config';
import { installBackfillSince, installJobKey, ORDER_BACKFILL_SCHEDULE } from './schedule-plan';

export interface InstallationApplied {
  result: 'applied' | 'stale';
  /** Jobs cancelled or marked for cancelling (an uninstall). */
  cancelled: JobRecord[];
  /** The order backfill submitted because the shop was (re)installed. */
  submitted: JobRecord | null;
}

/** Submitted by an install, beside the `schedule:<name>` jobs of the slots. */
export const INSTALL_SUBMITTER = `install:${ORDER_BACKFILL_SCHEDULE}`;

/**
 * The installations sync knows of, from `shops.installation.changed.v1`: the shops the scheduler
 * submits work for (status `installed`). Written in the consumer's inbox transaction.
 */
@Injectable()
export class ShopInstallationsRepository {
  private readonly jobs: JobStore;
  /** Without a config (tests' extra schedulers, which never apply events): no install backfill. */
  private readonly installBackfill: {
    window: ScheduleSettings['orderBackfill'];
    maxAttempts: number;
  } | null = null;

  constructor(
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Optional() @Inject(SERVICE_CONFIG) config?: SyncConfig,
  ) {
    // The dispatch topic is the one sync's jobs use.
    this.jobs = new JobStore(dataSource, jobsTopicOf(JobQueue.Sync));
    const schedule = config ? scheduleSettings(config) : null;
    if (config && schedule?.enabled)
      this.installBackfill = {
        window: schedule.orderBackfill,
        maxAttempts: jobsSettings(config).maxAttempts,
      };
  }

  /**
   * Applies an installation change unless a newer one (`aggregateVersion`, generation first) is
   * stored. An uninstall cancels the shop's queued and running jobs in the same transaction —
   * after the row is updated, so a tick that read the shop as installed (and holds its row with
   * FOR SHARE) commits its submissions first and they are cancelled here too. A (re)install
   * makes the shop active again for the order path, which an earlier `app/uninstalled` stopped,
   * and submits an order backfill at once (`installBackfillSince`) instead of leaving the shop to
   * the next slot — in this transaction, one per shop and generation.
   */
  async apply(manager: EntityManager, input: InstallationInput): Promise<InstallationApplied> {
    const { event } = input;
    const previous: { status: string; changed_at: Date }[] = await manager.query(
      `SELECT status, changed_at FROM sync.shop_installations WHERE shop_domain = $1`,
      [input.shopDomain],
    );
    // In a CTE so TypeORM hands back plain rows.
    const rows: unknown[] = await manager.query(
      `WITH u AS (
       INSERT INTO sync.shop_installations
         (shop_domain, status, generation, aggregate_version, changed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (shop_domain) DO UPDATE SET status = EXCLUDED.status,
         generation = EXCLUDED.generation, aggregate_version = EXCLUDED.aggregate_version,
         changed_at = EXCLUDED.changed_at, updated_at = now()
       WHERE sync.shop_installations.aggregate_version < EXCLUDED.aggregate_version
       RETURNING shop_domain)
       SELECT * FROM u`,
      [
        input.shopDomain,
        event.data.status,
        event.data.generation,
        event.aggregateVersion,
        event.occurredAt,
      ],
    );
    if (rows.length === 0) return { result: 'stale', cancelled: [], submitted: null };
    if (event.data.status === 'uninstalled') {
      return {
        result: 'applied',
        cancelled: await this.jobs.requestCancelForShop(input.shopDomain, manager),
        submitted: null,
      };
    }
    let submitted: JobRecord | null = null;
    if (event.data.status === 'installed') {
      await manager.query(
        `UPDATE sync.shops SET active = true, uninstalled_at = NULL, updated_at = now()
         WHERE shop_domain = $1 AND active = false`,
        [input.shopDomain],
      );
      if (event.type === 'installation.installed' && this.installBackfill) {
        const was = previous[0];
        const uninstalledAt = was && was.status !== 'installed' ? new Date(was.changed_at) : null;
        const since = installBackfillSince(new Date(), uninstalledAt, this.installBackfill.window);
        const { job, created } = await this.jobs.submitOnce(
          {
            type: 'order-backfill',
            params: orderBackfillParams.parse({
              shop: input.shopDomain,
              since: since.toISOString(),
            }),
            submittedBy: INSTALL_SUBMITTER,
            maxAttempts: this.installBackfill.maxAttempts,
            idempotencyKey: installJobKey(input.shopDomain, event.data.generation),
          },
          manager,
        );
        if (created) submitted = job;
      }
    }
    return { result: 'applied', cancelled: [], submitted };
  }

  /** The shop's status as the shops service announced it; null when it never did. */
  async knownStatus(manager: EntityManager, shopDomain: string): Promise<string | null> {
    const rows: { status: string }[] = await manager.query(
      `SELECT status FROM sync.shop_installations WHERE shop_domain = $1`,
      [shopDomain],
    );
    return rows[0]?.status ?? null;
  }

  /**
   * The installed shops, each row held FOR SHARE until the caller's transaction ends: an
   * uninstall of one of them waits for the tick to commit, then cancels what it submitted.
   */
  async installedForTick(manager: EntityManager): Promise<string[]> {
    const rows: { shop_domain: string }[] = await manager.query(
      `SELECT shop_domain FROM sync.shop_installations WHERE status = 'installed'
       ORDER BY shop_domain FOR SHARE`,
    );
    return rows.map((row) => row.shop_domain);
  }

  async status(shopDomain: string): Promise<string | null> {
    const rows: { status: string }[] = await this.dataSource.query(
      `SELECT status FROM sync.shop_installations WHERE shop_domain = $1`,
      [shopDomain],
    );
    return rows[0]?.status ?? null;
  }
}
