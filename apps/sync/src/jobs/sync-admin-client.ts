import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import { ShopifyAdminClient } from '@shopwire/shopify-admin';
import Redis from 'ioredis';
import type { SyncConfig } from '../config';
import { SYNC_CONFIG, SYNC_LOGGER } from '../sync.tokens';

/** Thrown when a job names a shop this service holds no Admin API token for. */
export class MissingAccessTokenError extends Error {
  override readonly name = 'MissingAccessTokenError';
}

/**
 * The budgeted Admin API client the jobs call Shopify through. Its per-shop budgets live in
 * Redis under the client's default prefix, so the jobs share each shop's budget with every
 * replica and with the catalog origin — and, as `reporting` calls, yield to theirs.
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
    // A client of its own, not the cache's fail-fast one: the budget bounds its own waits and,
    // with Redis unreachable, falls back to its local share of each shop's bucket.
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.redis.on('error', () => undefined);
    const template = config.SHOPIFY_ADMIN_URL;
    this.client = new ShopifyAdminClient({
      redis: this.redis,
      apiVersion: config.SHOPIFY_API_VERSION,
      fallbackShare: config.SHOPIFY_BUDGET_FALLBACK_SHARE,
      accessToken: (shop) => {
        const token = this.tokenFor(shop);
        if (!token) throw new MissingAccessTokenError(`no Admin API access token for ${shop}`);
        return token;
      },
      shopUrl: template
        ? (shop, version) => template.replace('{shop}', shop).replace('{version}', version)
        : undefined,
      registry,
      logger: logger.child({ component: 'shopify-admin-jobs' }),
    });
  }

  /** Whether a job for `shop` can call its Admin API at all (checked before any work). */
  hasToken(shop: string): boolean {
    return this.tokenFor(shop) !== undefined;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private tokenFor(shop: string): string | undefined {
    return this.tokens.get(shop) ?? this.fallback;
  }
}
