import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import { ShopifyAdminClient } from '@shopwire/shopify-admin';
import Redis from 'ioredis';
import type { SyncConfig } from '../config';
import { SYNC_CONFIG, SYNC_LOGGER } from '../sync.tokens';
import { AdminApiProductOrigin } from './admin-api-product-origin';
import { CatalogReadRepository } from './catalog-read.repository';
import type { ProductOrigin } from './product-origin';

/**
 * The origin `CATALOG_ORIGIN` names: the catalog mirror, or the Admin API through the budgeted
 * client (whose per-shop budgets live in Redis, shared with every replica and every other user
 * of the client).
 */
@Injectable()
export class ConfiguredProductOrigin implements ProductOrigin, OnModuleDestroy {
  readonly kind: SyncConfig['CATALOG_ORIGIN'];
  private readonly origin: ProductOrigin;
  private readonly admin: { client: ShopifyAdminClient; redis: Redis } | null = null;

  constructor(
    @Inject(SYNC_CONFIG) config: SyncConfig,
    @Inject(SYNC_LOGGER) logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    mirror: CatalogReadRepository,
  ) {
    this.kind = config.CATALOG_ORIGIN;
    if (config.CATALOG_ORIGIN === 'mirror') {
      this.origin = mirror;
      return;
    }
    // The budget's own client: it needs Redis to admit a call, unlike the cache's fail-fast one.
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
    redis.on('error', () => undefined);
    const tokens = config.SHOPIFY_ACCESS_TOKENS ?? new Map<string, string>();
    const fallback = config.SHOPIFY_ACCESS_TOKEN;
    const template = config.SHOPIFY_ADMIN_URL;
    const client = new ShopifyAdminClient({
      redis,
      apiVersion: config.SHOPIFY_API_VERSION,
      accessToken: (shop) => {
        const token = tokens.get(shop) ?? fallback;
        if (!token) throw new Error(`no Admin API access token for ${shop}`);
        return token;
      },
      shopUrl: template
        ? (shop, version) => template.replace('{shop}', shop).replace('{version}', version)
        : undefined,
      registry,
      logger: logger.child({ component: 'shopify-admin' }),
    });
    this.admin = { client, redis };
    this.origin = new AdminApiProductOrigin(client);
  }

  load(shop: string, ids: string[]): Promise<Map<string, string | null>> {
    return this.origin.load(shop, ids);
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.admin) return;
    await this.admin.client.close();
    await this.admin.redis.quit().catch(() => this.admin?.redis.disconnect());
  }
}
