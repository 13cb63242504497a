import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  API_TOKENS,
  ApiTokenGuard,
  HealthModule,
  METRICS_REGISTRY,
  MetricsController,
} from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import { SIM_CONFIG, SIM_LOGGER } from './app.tokens';
import type { SimConfig } from './config/sim-config.schema';
import { WebhookStreamsService } from './webhooks/webhook-streams.service';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface AppDependencies {
  config: SimConfig;
  logger: Logger;
  registry: Registry;
}

@Module({})
export class AppModule {
  /** Config, logger and registry are built in `main.ts` (or a test) before Nest starts. */
  static forRoot({ config, logger, registry }: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        WebhooksModule,
        HealthModule.forChecks({
          imports: [WebhooksModule],
          inject: [WebhookStreamsService],
          useFactory: (streams: WebhookStreamsService) => [
            // The simulator depends on nothing external; ready means the engine still accepts work.
            {
              name: 'webhook-delivery',
              check: async () => ({ pending: streams.pendingDeliveries() }),
            },
          ],
        }),
      ],
      controllers: [MetricsController],
      providers: [
        { provide: SIM_CONFIG, useValue: config },
        { provide: SIM_LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: API_TOKENS, useValue: config.API_TOKENS },
        { provide: APP_GUARD, useClass: ApiTokenGuard },
      ],
      exports: [SIM_CONFIG, SIM_LOGGER, METRICS_REGISTRY],
    };
  }
}
