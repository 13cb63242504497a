import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { ConsumerRunnerStatus } from '@shopwire/kafka';
import type { Logger, Registry } from '@shopwire/observability';
import {
  InstallationChangesConsumer,
  ShopCredentials,
  ShopNotInstalledError,
  ShopReauthRequiredError,
} from '@shopwire/shop-credentials';
import { ShopifyAdminClient } from '@shopwire/shopify-admin';
import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { SERVICE_CONFIG, SERVICE_KAFKA, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';

export type NoShopAccessReason = 'no_token_configured' | 'not_installed' | 'reauth_required';

const NO_ACCESS_MESSAGE: Record<NoShopAccessReason, (shop: string) => string> = {
  no_token_configured: (shop) => `no Admin API access token for ${shop}`,
  not_installed: (shop) => `no Admin API access to ${shop}: the app is not installed there`,
  reauth_required: (shop) =>
    `no Admin API access to ${shop}: the merchant must authorise the app again`,
};

/**
 * This service cannot ask Shopify about the shop: the shops service says the app is not installed
 * or needs re-authorisation, or (development fallback) no token is configured for it.
 */
export class NoShopAccessError extends Error {
  override readonly name = 'NoShopAccessError';
  constructor(
    readonly shop: string,
    readonly reason: NoShopAccessReason = 'no_token_configured',
  ) {
    super(NO_ACCESS_MESSAGE[reason](shop));
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
 *
 * Tokens: with `SHOPS_URL`, from the shops service (libs/shop-credentials: cached briefly in
 * memory, dropped when the shop's installation changes, replaced after a 401); a shop that is
 * not installed fails before any budget is spent or any call is sent. Without it, from
 * `SHOPIFY_ACCESS_TOKENS` / `SHOPIFY_ACCESS_TOKEN` — a development fallback only.
 */
@Injectable()
export class SyncAdminClient implements OnModuleInit, OnModuleDestroy {
  readonly client: ShopifyAdminClient;
  private readonly redis: Redis;
  private readonly tokens: Map<string, string>;
  private readonly fallback: string | undefined;
  private readonly credentials: ShopCredentials | null = null;
  private readonly changes: InstallationChangesConsumer | null = null;

  constructor(
    @Inject(SERVICE_CONFIG) config: SyncConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(SERVICE_KAFKA) kafka: Kafka,
  ) {
    this.tokens = config.SHOPIFY_ACCESS_TOKENS ?? new Map<string, string>();
    this.fallback = config.SHOPIFY_ACCESS_TOKEN;
    if (config.SHOPS_URL && config.SHOPS_API_TOKEN) {
      this.credentials = new ShopCredentials({
        url: config.SHOPS_URL,
        apiToken: config.SHOPS_API_TOKEN,
        registry,
        logger: logger.child({ component: 'shop-credentials' }),
      });
      this.changes = new InstallationChangesConsumer({
        kafka,
        credentials: this.credentials,
        logger: logger.child({ component: 'shop-credentials' }),
        groupPrefix: 'sync.shop-credentials',
      });
      if (this.tokens.size > 0 || this.fallback)
        logger.warn('SHOPS_URL is set: SHOPIFY_ACCESS_TOKENS / SHOPIFY_ACCESS_TOKEN are ignored');
    } else if (this.tokens.size > 0 || this.fallback) {
      logger.warn(
        'Admin API tokens come from SHOPIFY_ACCESS_TOKENS / SHOPIFY_ACCESS_TOKEN: a development ' +
          'fallback; set SHOPS_URL and SHOPS_API_TOKEN to use the shops service',
      );
    }
    // The budget's own client, not the cache's fail-fast one: the budget bounds its own waits
    // and, with Redis unreachable, falls back to its local share of each shop's bucket.
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.redis.on('error', () => undefined);
    const template = config.SHOPIFY_ADMIN_URL;
    const credentials = this.credentials;
    this.client = new ShopifyAdminClient({
      redis: this.redis,
      apiVersion: config.SHOPIFY_API_VERSION,
      fallbackShare: config.SHOPIFY_BUDGET_FALLBACK_SHARE,
      accessToken: (shop) => this.accessToken(shop),
      onUnauthorized: credentials
        ? (shop, rejected) => credentials.onUnauthorized(shop, rejected).catch(noAccess(shop))
        : undefined,
      shopUrl: template
        ? (shop, version) => template.replace('{shop}', shop).replace('{version}', version)
        : undefined,
      registry,
      logger: logger.child({ component: 'shopify-admin' }),
    });
  }

  /**
   * Whether this service can call the shop's Admin API at all (checked before any work). A
   * shops service that cannot be asked right now throws (transient), it does not answer false.
   */
  async hasAccess(shop: string): Promise<boolean> {
    try {
      await this.accessToken(shop);
      return true;
    } catch (error) {
      if (error instanceof NoShopAccessError) return false;
      throw error;
    }
  }

  /**
   * Throws `NoShopAccessError` before any budget is spent when the shop cannot be called, so the
   * cache stores nothing and the API can say so plainly. With the shops service, the token this
   * fetches is the one the call then uses (cached).
   */
  async assertAccess(shop: string): Promise<void> {
    await this.accessToken(shop);
  }

  /** Starts dropping cached tokens on `shops.installation.changed.v1` (with SHOPS_URL only). */
  async onModuleInit(): Promise<void> {
    // Not awaited for the group join: a late join only delays invalidations, the short cache
    // TTL still bounds how stale a token can be.
    this.changes
      ?.start()
      .catch((error: unknown) =>
        this.logger.error(
          { err: error instanceof Error ? error.name : 'unknown' },
          'installation-changes consumer did not start; cached tokens expire by TTL only',
        ),
      );
  }

  /**
   * With SHOPS_URL: the token API client's breaker and the installation-changes consumer, for
   * `/health/ready` (reported, never failing it: cached tokens still work) — no tokens.
   */
  credentialsHealth(): {
    breaker: Record<string, unknown>;
    changes: ConsumerRunnerStatus;
  } | null {
    if (!this.credentials || !this.changes) return null;
    return { breaker: this.credentials.health(), changes: this.changes.status };
  }

  async onModuleDestroy(): Promise<void> {
    await this.changes?.stop();
    this.credentials?.close();
    await this.client.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async accessToken(shop: string): Promise<string> {
    if (this.credentials) return this.credentials.accessToken(shop).catch(noAccess(shop));
    const token = this.tokens.get(shop) ?? this.fallback;
    if (!token) throw new NoShopAccessError(shop);
    return token;
  }
}

/** The shops service's refusals as this service's one "no access" error; anything else as is. */
function noAccess(shop: string) {
  return (error: unknown): never => {
    if (error instanceof ShopNotInstalledError) throw new NoShopAccessError(shop, 'not_installed');
    if (error instanceof ShopReauthRequiredError)
      throw new NoShopAccessError(shop, 'reauth_required');
    throw error;
  };
}
