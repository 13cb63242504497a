import {
  Global,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  Inject,
} from '@nestjs/common';
import { ConsumerGroup } from '@shopwire/contracts';
import type { Logger } from '@shopwire/observability';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import Redis from 'ioredis';
import type { ShopsConfig } from './config';
import { runShopsMigrations } from './database/migrate';
import { createShopsDataSource } from './database/shops-data-source';
import { ShopifyTokenEndpoint } from './oauth/shopify-token-endpoint';
import {
  INSTALLED_SHOPS_GROUP,
  INSTALLED_SHOPS_TUNING,
} from './subscriptions/installed-shops.consumer';
import { SHOPS_REDIS, SHOPS_TOKEN_ENDPOINT } from './shops.tokens';

class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(SHOPS_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Process-wide resources: the shared runtime (config, logger, metrics, Kafka, schema `shops`),
 * Redis and the Shopify token endpoint client. Global, so feature modules (credentials, install,
 * subscriptions, lifecycle) inject them by token.
 */
@Global()
@Module({})
export class ShopsInfraModule {
  static forRoot(config: ShopsConfig): DynamicModule {
    return {
      module: ShopsInfraModule,
      providers: [
        {
          provide: SHOPS_REDIS,
          // Lazy and bounded: a Redis outage must not stop boot or hang a request; the
          // uninstalled set is rebuilt from Postgres when Redis is back (see UninstalledShopsSet).
          useFactory: () =>
            new Redis(config.REDIS_URL, {
              lazyConnect: true,
              maxRetriesPerRequest: 1,
              enableOfflineQueue: true,
              connectTimeout: 2000,
            }),
        },
        {
          provide: SHOPS_TOKEN_ENDPOINT,
          useFactory: () =>
            new ShopifyTokenEndpoint({
              clientId: config.SHOPIFY_API_KEY,
              clientSecret: config.SHOPIFY_API_SECRET,
              shopUrlTemplate: config.SHOPIFY_SHOP_URL,
              expiringOfflineTokens: config.SHOPIFY_EXPIRING_OFFLINE_TOKENS,
              timeoutMs: config.SHOPS_TOKEN_ENDPOINT_TIMEOUT_MS,
            }),
        },
        RedisCloser,
      ],
      exports: [SHOPS_REDIS, SHOPS_TOKEN_ENDPOINT],
    };
  }
}

export const CoreModule = {
  forRoot(config: ShopsConfig, logger: Logger): DynamicModule[] {
    return [
      ServiceCoreModule.forRoot({
        service: 'shops',
        config,
        logger,
        createDataSource: createShopsDataSource,
        runMigrations: runShopsMigrations,
        // Two groups on one transport: the lifecycle webhooks, and the install-time reconcile.
        consumers: (c) => ({
          [ConsumerGroup.Shops]: { groupId: c.SHOPS_CONSUMER_GROUP },
          [INSTALLED_SHOPS_GROUP]: {
            ...INSTALLED_SHOPS_TUNING,
            groupId: c.SUBSCRIPTIONS_CONSUMER_GROUP,
          },
        }),
      }),
      ShopsInfraModule.forRoot(config),
    ];
  },
};
