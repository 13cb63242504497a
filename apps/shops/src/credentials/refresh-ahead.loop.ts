import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { CredentialsMetrics } from './credentials.metrics';
import { CredentialsRepository } from './credentials.repository';
import { TokenRefresher } from './token-refresher';
import { UninstalledShops } from './uninstalled-shops';

const BATCH = 100;
// The uninstalled set and the status gauge are resynced every this many passes.
const RESYNC_EVERY = 20;

/**
 * Refreshes tokens before they expire, so callers almost never wait for a refresh. Every replica
 * runs it; the per-shop advisory lock makes the one that gets there first refresh, the others
 * skip the shop. Sleeps until the next poll or the earliest due token, whichever comes first.
 * At start (and every RESYNC_EVERY passes) it rebuilds the Redis uninstalled set from Postgres.
 */
@Injectable()
export class RefreshAheadLoop implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private passes = 0;

  constructor(
    private readonly repository: CredentialsRepository,
    private readonly refresher: TokenRefresher,
    private readonly uninstalled: UninstalledShops,
    private readonly metrics: CredentialsMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: ShopsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass; returns ms until the next one. Public for tests. */
  async pass(): Promise<number> {
    if (this.passes++ % RESYNC_EVERY === 0) await this.resync();
    const now = Date.now();
    const aheadMs = this.config.SHOPS_REFRESH_AHEAD_SECONDS * 1000;
    const shops = await this.repository.expiringBefore(new Date(now + aheadMs), BATCH);
    let next = this.config.SHOPS_REFRESH_POLL_MS;
    for (const shop of shops) {
      if (this.stopped) break;
      const credential = await this.repository.findCredential(shop);
      if (!credential) continue;
      if (!this.refresher.isDue(credential)) {
        next = Math.min(
          next,
          this.msUntilDue(credential.accessTokenExpiresAt!, credential.refreshedAt, aheadMs),
        );
        continue;
      }
      try {
        await this.refresher.refresh(shop, { kind: 'due' }, { waitIfBusy: false });
      } catch {
        // Logged and counted by the refresher; a failed shop is tried again next pass.
        next = Math.min(next, 1000);
      }
    }
    return Math.max(50, next);
  }

  private msUntilDue(expiresAt: Date, refreshedAt: Date, aheadMs: number): number {
    const lifetime = expiresAt.getTime() - refreshedAt.getTime();
    const dueAt = expiresAt.getTime() - Math.min(aheadMs, lifetime / 2);
    return dueAt - Date.now() + 10;
  }

  private async resync(): Promise<void> {
    try {
      await this.uninstalled.rebuild(await this.repository.uninstalledShops());
      const counts = await this.repository.countByStatus();
      for (const status of ['installed', 'uninstalled', 'reauth_required']) {
        this.metrics.installations.set({ status }, counts[status] ?? 0);
      }
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'installation resync failed');
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((error: unknown) => {
          this.logger.warn({ err: (error as Error).message }, 'refresh-ahead pass failed');
          return this.config.SHOPS_REFRESH_POLL_MS;
        })
        .then((next) => {
          this.running = null;
          this.schedule(next);
        });
    }, delayMs);
    this.timer.unref();
  }
}
