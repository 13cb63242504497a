import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule, METRICS_REGISTRY, MetricsController } from '@shopwire/http';
import { createKafkaClient } from '@shopwire/kafka';
import type { Logger, Registry } from '@shopwire/observability';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { WebhookProducer } from './kafka/webhook-producer';
import { GatewayMetrics } from './webhooks/gateway-metrics';
import { WEBHOOK_SINK, WebhookIntakeService } from './webhooks/webhook-intake.service';
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
        brokers: config.KAFKA_BROKERS,
        clientId: config.KAFKA_CLIENT_ID ?? 'shopwire-gateway',
        logger,
      }),
      logger,
      config,
      metrics,
    );
    return {
      module: GatewayModule,
      global: true,
      imports: [
        HealthModule.forChecks({
          useFactory: () => [{ name: 'kafka', check: () => producer.checkCluster() }],
        }),
      ],
      controllers: [WebhooksController, MetricsController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: GatewayMetrics, useValue: metrics },
        { provide: WebhookProducer, useValue: producer },
        { provide: WEBHOOK_SINK, useValue: producer },
        WebhookIntakeService,
      ],
      exports: [GATEWAY_CONFIG, GatewayMetrics],
    };
  }
}
