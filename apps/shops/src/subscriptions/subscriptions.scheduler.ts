import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import type { DataSource } from 'typeorm';
import { SERVICE_CONFIG, SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { tryAdvisoryLock } from './advisory-lock';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';

const SWEEP_LOCK = 'shops.subscriptions.sweep';
const BATCH = 50;
// A replica looks this often (at most) for shops whose interval has passed.
const MAX_POLL_MS = 60_000;

/**
 * Every `SUBSCRIPTIONS_RECONCILE_INTERVAL_SECONDS`, each installed shop's subscriptions are
 * reconciled. Every replica polls; the one holding the sweep's advisory lock does the work and
 * the others skip their turn. What is due is decided per shop from its last check in Postgres,
 * so however many replicas poll, a shop is checked once per interval — and a replica taking over
 * after another died carries on where the table says, not from the start.
 */
@Injectable()
export class SubscriptionsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly pollMs: number;

  constructor(
    private readonly service: SubscriptionsService,
    private readonly repository: SubscriptionsRepository,
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ShopsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.pollMs = Math.min(MAX_POLL_MS, config.SUBSCRIPTIONS_RECONCILE_INTERVAL_SECONDS * 1000);
  }

  onApplicationBootstrap(): void {
    this.schedule(this.pollMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One sweep if this replica gets the lock: every due shop, a batch at a time. Answers how many
   * shops it reconciled, or null when another replica holds the sweep. Public for tests.
   */
  sweep(): Promise<number | null> {
    return tryAdvisoryLock(this.dataSource, SWEEP_LOCK, async () => {
      const interval = this.config.SUBSCRIPTIONS_RECONCILE_INTERVAL_SECONDS;
      const seen = new Set<string>();
      let done = 0;
      while (!this.stopped) {
        // Every check stamps the shop's rows, so a shop leaves the due list once tried; `seen`
        // stops the loop should a stamp not land (the database failing under it).
        const due = (await this.repository.dueShops(interval, BATCH)).filter((s) => !seen.has(s));
        if (due.length === 0) break;
        for (const shop of due) {
          if (this.stopped) break;
          seen.add(shop);
          await this.service.reconcile(shop, 'schedule').then(
            () => (done += 1),
            (error: unknown) =>
              this.logger.warn(
                { shop, err: error instanceof Error ? error.message : 'unknown error' },
                'scheduled webhook subscription reconcile failed',
              ),
          );
        }
      }
      return done;
    });
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then(
          () => undefined,
          (error: unknown) =>
            this.logger.warn(
              { err: error instanceof Error ? error.message : 'unknown error' },
              'webhook subscription sweep failed',
            ),
        )
        .finally(() => {
          this.running = null;
          this.schedule(this.pollMs);
        });
    }, ms);
    this.timer.unref();
  }
}
