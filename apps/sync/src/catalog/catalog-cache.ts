import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  CacheAside,
  CacheMetrics,
  CachePurger,
  CacheStore,
  createCacheRedis,
} from '@shopwire/cache';
import { METRICS_REGISTRY } from '@shopwire/http';
import { briefError } from '@shopwire/kafka';
import type { Logger, Registry } from '@shopwire/observability';
import type Redis from 'ioredis';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';
import { SyncAdminClient } from '../admin-api/sync-admin-client';
import { CatalogReadRepository } from './catalog-read.repository';
import { ConfiguredProductOrigin } from './configured-product-origin';
import { MetafieldsOrigin } from './metafields-origin';
import { PricingRulesOrigin } from './pricing-rules-origin';
import { StoreConfigOrigin } from './store-config-origin';

/**
 * The catalog cache of this process: Redis (fail-fast client behind the `redis-cache` breaker),
 * one cache-aside per namespace — products and variants over the configured origin; metafields,
 * store config and pricing rules over the Admin API — and the purger that invalidates entries
 * from products, inventory-item, shop and discount webhooks (run by the cache lib's
 * `CachePurgeConsumer` on the service's consumer transport, group `CACHE_PURGE_GROUP`).
 */
@Injectable()
export class CatalogCache implements OnApplicationShutdown {
  readonly products: CacheAside;
  readonly variants: CacheAside;
  readonly metafields: CacheAside;
  readonly storeConfig: CacheAside;
  readonly pricingRules: CacheAside;
  readonly store: CacheStore;
  readonly purger: CachePurger;
  private readonly redis: Redis;

  constructor(
    @Inject(SERVICE_CONFIG) config: SyncConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    origin: ConfiguredProductOrigin,
    admin: SyncAdminClient,
    private readonly catalog: CatalogReadRepository,
  ) {
    const metrics = CacheMetrics.for(registry);
    this.redis = createCacheRedis({
      url: config.CACHE_REDIS_URL ?? config.REDIS_URL,
      commandTimeoutMs: config.CACHE_REDIS_TIMEOUT_MS,
    });
    this.store = new CacheStore({
      redis: this.redis,
      metrics,
      registry,
      timeoutMs: config.CACHE_REDIS_TIMEOUT_MS * 2,
    });
    const shared = {
      store: this.store,
      metrics,
      prefix: config.CACHE_KEY_PREFIX,
      lock: config.CACHE_FILL_LOCK ? { ttlMs: 5000, waitMs: 1000, pollMs: 10 } : (false as const),
    };
    const negativeTtlMs = config.CACHE_NEGATIVE_TTL_MS;
    this.products = new CacheAside({
      ...shared,
      namespace: 'products',
      origin,
      policy: { ttlMs: config.CACHE_PRODUCT_TTL_MS, negativeTtlMs },
    });
    this.variants = new CacheAside({
      ...shared,
      namespace: 'variants',
      origin: origin.variants,
      policy: { ttlMs: config.CACHE_VARIANT_TTL_MS, negativeTtlMs },
    });
    this.metafields = new CacheAside({
      ...shared,
      namespace: 'metafields',
      origin: new MetafieldsOrigin(admin),
      policy: { ttlMs: config.CACHE_METAFIELDS_TTL_MS, negativeTtlMs },
    });
    // One entry per shop, always found: the namespaces' own negative TTLs never come into play.
    this.storeConfig = new CacheAside({
      ...shared,
      namespace: 'store-config',
      origin: new StoreConfigOrigin(admin),
      policy: { ttlMs: config.CACHE_STORE_CONFIG_TTL_MS },
    });
    this.pricingRules = new CacheAside({
      ...shared,
      namespace: 'pricing-rules',
      origin: new PricingRulesOrigin(admin),
      policy: { ttlMs: config.CACHE_PRICING_RULES_TTL_MS },
    });
    // Products, inventory and compliance (shop/update travels there): CACHE_PURGE_TOPICS.
    this.purger = new CachePurger({
      groupId: config.CACHE_PURGE_GROUP,
      logger: logger.child({ component: 'cache-purge' }),
      metrics,
      caches: {
        products: this.products,
        variants: this.variants,
        metafields: this.metafields,
        'store-config': this.storeConfig,
        'pricing-rules': this.pricingRules,
      },
      resolveInventoryItem: (shop, item) => catalog.showingInventoryItem(shop, item),
      resolveProductVariants: (shop, product) => catalog.variantIdsOf(shop, [product]),
    });
  }

  /**
   * Called after the sync consumer committed mirror writes. The purge consumer purges as soon as
   * a webhook reaches Kafka — possibly before this service's mirror (the origin) has the change,
   * so a miss in between would cache the old row until its TTL. Purging again once the mirror
   * committed closes that window, for the products and the variants the mirror now holds for
   * them (a deleted product keeps its variant rows for this). Best effort: the chunk is already
   * committed, and the purge consumer's own purge is the durable one.
   */
  async purgeAfterMirrorWrite(products: { shopDomain: string; productId: string }[]) {
    const byShop = new Map<string, string[]>();
    for (const { shopDomain, productId } of products)
      byShop.set(shopDomain, [...(byShop.get(shopDomain) ?? []), productId]);
    for (const [shop, ids] of byShop) {
      try {
        await this.purgeMirrored(shop, ids);
      } catch (error) {
        this.logger.warn({ err: briefError(error), shop }, 'cache purge after mirror write failed');
      }
    }
  }

  /**
   * Purges products and the variants the mirror holds for them: what a mirror write changed.
   * Throws when Redis cannot be reached.
   */
  async purgeMirrored(shop: string, productIds: string[]): Promise<void> {
    await this.products.purge(shop, productIds);
    const variantIds = await this.catalog.variantIdsOf(shop, productIds);
    if (variantIds.length > 0) await this.variants.purge(shop, variantIds);
  }

  /**
   * For `/health/ready`: reported, never failing readiness (the origin answers without Redis).
   * The purge consumer's group is in the transport's readiness with the service's other groups.
   */
  health(): Record<string, unknown> {
    return { redis: this.redis.status, breaker: this.store.state };
  }

  /** After the consumer transport stopped (`app.close()`), so an in-flight purge can finish. */
  async onApplicationShutdown(): Promise<void> {
    this.store.shutdown();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
