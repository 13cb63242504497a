import { Inject, Injectable } from '@nestjs/common';
import { JobQueue, jobsTopicOf } from '@shopwire/contracts';
import { JobStore, type JobRecord } from '@shopwire/jobs';
import type { DataSource, EntityManager } from 'typeorm';
import { SYNC_DATA_SOURCE } from '../database/sync-data-source';
import type { InstallationInput } from './installation-input';

export interface InstallationApplied {
  result: 'applied' | 'stale';
  /** Jobs cancelled or marked for cancelling (an uninstall). */
  cancelled: JobRecord[];
}

/**
 * The installations sync knows of, from `shops.installation.changed.v1`: the shops the scheduler
 * submits work for (status `installed`). Written in the consumer's inbox transaction.
 */
@Injectable()
export class ShopInstallationsRepository {
  private readonly jobs: JobStore;

  constructor(@Inject(SYNC_DATA_SOURCE) private readonly dataSource: DataSource) {
    // Only for cancelling; the dispatch topic is the one sync's jobs use.
    this.jobs = new JobStore(dataSource, jobsTopicOf(JobQueue.Sync));
  }

  /**
   * Applies an installation change unless a newer one (`aggregateVersion`, generation first) is
   * stored. An uninstall cancels the shop's queued and running jobs in the same transaction —
   * after the row is updated, so a tick that read the shop as installed (and holds its row with
   * FOR SHARE) commits its submissions first and they are cancelled here too. A (re)install
   * makes the shop active again for the order path, which an earlier `app/uninstalled` stopped.
   */
  async apply(manager: EntityManager, input: InstallationInput): Promise<InstallationApplied> {
    const { event } = input;
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
    if (rows.length === 0) return { result: 'stale', cancelled: [] };
    if (event.data.status === 'uninstalled') {
      return {
        result: 'applied',
        cancelled: await this.jobs.requestCancelForShop(input.shopDomain, manager),
      };
    }
    if (event.data.status === 'installed') {
      await manager.query(
        `UPDATE sync.shops SET active = true, uninstalled_at = NULL, updated_at = now()
         WHERE shop_domain = $1 AND active = false`,
        [input.shopDomain],
      );
    }
    return { result: 'applied', cancelled: [] };
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
