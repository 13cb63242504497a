import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  CacheAside,
  CacheMetrics,
  CachePurgeConsumer,
  CacheStore,
  createCacheRedis,
} from '@shopwire/cache';
import { ShopifyKafkaTopic } from '@shopwire/contracts';
import { METRICS_REGISTRY } from '@shopwire/http';
import { backoffDelay, briefError } from '@shopwire/kafka';
import type { Logger, Registry } from '@shopwire/observability';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { SERVICE_CONFIG, SERVICE_KAFKA, SERVICE_LOGGER } from '@shopwire/service-runtime';
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
 * store config and pricing rules over the Admin API — and the purge consumer that invalidates
 * entries from products, inventory-item, shop and discount webhooks.
 */
@Injectable()
export class CatalogCache implements OnApplicationBootstrap, OnModuleDestroy {
  readonly products: CacheAside;
  readonly variants: CacheAside;
  readonly metafields: CacheAside;
  readonly storeConfig: CacheAside;
  readonly pricingRules: CacheAside;
  readonly store: CacheStore;
  readonly purger: CachePurgeConsumer;
  private readonly redis: Redis;
  private starting: Promise<void> | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(SERVICE_CONFIG) config: SyncConfig,
    @Inject(SERVICE_KAFKA) kafka: Kafka,
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
    this.purger = new CachePurgeConsumer({
      kafka,
      groupId: config.CACHE_PURGE_GROUP,
      // shop/update travels on the compliance topic (every shop/* webhook does).
      topics: [
        ShopifyKafkaTopic.Products,
        ShopifyKafkaTopic.Inventory,
        ShopifyKafkaTopic.Compliance,
      ],
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

  /** For `/health/ready`: reported, never failing readiness (the origin answers without Redis). */
  health(): Record<string, unknown> {
    return {
      redis: this.redis.status,
      breaker: this.store.state,
      purgeConsumer: this.purger.status,
    };
  }

  onApplicationBootstrap(): void {
    this.starting = this.startUntilRunning();
  }

  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    await this.starting;
    await this.purger.stop();
    this.store.shutdown();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async startUntilRunning(): Promise<void> {
    for (let attempt = 1; !this.shuttingDown; attempt++) {
      try {
        await this.purger.start();
        return;
      } catch (error) {
        const delayMs = backoffDelay(attempt, 500, 10_000);
        this.logger.warn(
          { err: briefError(error), attempt, delayMs },
          'cache purge consumer could not start; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
