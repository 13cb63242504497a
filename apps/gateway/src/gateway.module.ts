import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiAccessGuard, HealthModule, METRICS_REGISTRY, MetricsController } from '@shopwire/http';
import { kafkaConnection, serviceConfigModule } from '@shopwire/config';
import { createKafkaClient } from '@shopwire/kafka';
import type { Logger, Registry } from '@shopwire/observability';
import type { GatewayConfig } from './config';
import { WebhookProducer } from './kafka/webhook-producer';
import { GatewayMetrics } from './webhooks/gateway-metrics';
import { UninstalledShops } from './webhooks/uninstalled-shops';
import {
  UNINSTALLED_SHOPS,
  WEBHOOK_SINK,
  WebhookIntakeService,
} from './webhooks/webhook-intake.service';
import { WebhooksController } from './webhooks/webhooks.controller';

export interface GatewayModuleOptions {
  config: GatewayConfig;
  logger: Logger;
  registry: Registry;
  metrics: GatewayMetrics;
}

@Module({})
export class GatewayModule {
  static forRoot({ config, logger, registry, metrics }: GatewayModuleOptions): DynamicModule {
    const producer = new WebhookProducer(
      createKafkaClient({
        ...kafkaConnection(config),
        clientId: config.KAFKA_CLIENT_ID ?? 'shopwire-gateway',
        logger,
      }),
      logger,
      config,
      metrics,
    );
    const uninstalled = config.REDIS_URL
      ? new UninstalledShops({
          redisUrl: config.REDIS_URL,
          key: config.UNINSTALLED_SHOPS_KEY,
          cacheMs: config.UNINSTALLED_SHOPS_CACHE_MS,
          timeoutMs: config.UNINSTALLED_SHOPS_TIMEOUT_MS,
          logger,
        })
      : null;
    return {
      module: GatewayModule,
      global: true,
      imports: [
        serviceConfigModule(config),
        HealthModule.forChecks({
          useFactory: () => [{ name: 'kafka', check: () => producer.checkCluster() }],
        }),
      ],
      controllers: [WebhooksController, MetricsController],
      providers: [
        // No API credentials: every gateway route is public (HMAC-checked webhooks, probes), and
        // the guard keeps any route added later closed until it declares its access.
        { provide: APP_GUARD, useClass: ApiAccessGuard },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: GatewayMetrics, useValue: metrics },
        { provide: WebhookProducer, useValue: producer },
        { provide: WEBHOOK_SINK, useValue: producer },
        // Not a readiness check: the gateway works the same without it (fail open).
        { provide: UNINSTALLED_SHOPS, useValue: uninstalled },
        {
          provide: UninstalledShopsLifecycle,
          useValue: new UninstalledShopsLifecycle(uninstalled),
        },
        WebhookIntakeService,
      ],
      exports: [GatewayMetrics],
    };
  }
}

/** Connects the uninstalled-shops check at start (from createGatewayApp) and closes its Redis connection at shutdown. */
export class UninstalledShopsLifecycle {
  constructor(readonly uninstalled: UninstalledShops | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.uninstalled?.close();
  }
}
