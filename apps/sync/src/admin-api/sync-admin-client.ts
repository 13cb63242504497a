import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import { ShopifyAdminClient } from '@shopwire/shopify-admin';
import Redis from 'ioredis';
import type { SyncConfig } from '../config';
import { SYNC_CONFIG, SYNC_LOGGER } from '../sync.tokens';

/** This service has no Admin API access token for the shop: it cannot ask Shopify about it. */
export class NoShopAccessError extends Error {
  override readonly name = 'NoShopAccessError';
  constructor(readonly shop: string) {
    super(`no Admin API access token for ${shop}`);
  }
}

/**
 * The sync service's one budgeted Admin API client, used by the catalog's origins (products and
 * variants with `CATALOG_ORIGIN=admin-api`; metafields, store config and pricing rules always)
 * and by the jobs (as `reporting` calls, which yield to the catalog's). One per process on
 * purpose: its per-shop budgets live in Redis, shared with every replica, and while Redis is
 * unreachable each client spends 1/`SHOPIFY_BUDGET_FALLBACK_SHARE` of a shop's bucket — so the
 * share is simply the replica count. The Redis connection is made on first use, so a process
 * that never asks the Admin API never opens it.
 */
@Injectable()
export class SyncAdminClient implements OnModuleDestroy {
  readonly client: ShopifyAdminClient;
  private readonly redis: Redis;
  private readonly tokens: Map<string, string>;
  private readonly fallback: string | undefined;

  constructor(
    @Inject(SYNC_CONFIG) config: SyncConfig,
    @Inject(SYNC_LOGGER) logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.tokens = config.SHOPIFY_ACCESS_TOKENS ?? new Map<string, string>();
    this.fallback = config.SHOPIFY_ACCESS_TOKEN;
    // The budget's own client, not the cache's fail-fast one: the budget bounds its own waits
    // and, with Redis unreachable, falls back to its local share of each shop's bucket.
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.redis.on('error', () => undefined);
    const template = config.SHOPIFY_ADMIN_URL;
    this.client = new ShopifyAdminClient({
      redis: this.redis,
      apiVersion: config.SHOPIFY_API_VERSION,
      fallbackShare: config.SHOPIFY_BUDGET_FALLBACK_SHARE,
      accessToken: (shop) => {
        const token = this.tokenFor(shop);
        if (!token) throw new NoShopAccessError(shop);
        return token;
      },
      shopUrl: template
        ? (shop, version) => template.replace('{shop}', shop).replace('{version}', version)
        : undefined,
      registry,
      logger: logger.child({ component: 'shopify-admin' }),
    });
  }

  /** Whether this service can call the shop's Admin API at all (checked before any work). */
  hasToken(shop: string): boolean {
    return this.tokenFor(shop) !== undefined;
  }

  /**
   * Throws `NoShopAccessError` before any budget is spent when the shop has no token, so the
   * cache stores nothing and the API can say so plainly.
   */
  assertAccess(shop: string): void {
    if (!this.hasToken(shop)) throw new NoShopAccessError(shop);
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private tokenFor(shop: string): string | undefined {
    return this.tokens.get(shop) ?? this.fallback;
  }
}
