import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  API_TOKENS,
  ApiTokenGuard,
  HealthModule,
  METRICS_REGISTRY,
  MetricsController,
} from '@shopwire/http';
import { loadConfig, serviceConfigModule } from '@shopwire/config';
import type { Logger, Registry } from '@shopwire/observability';
import { AdminApiModule } from './admin-api/admin-api.module';
import { SIM_LOGGER } from './app.tokens';
import type { SimConfig } from './config/sim-config.schema';
import { SmtpSinkService } from './third-parties/smtp-sink.service';
import { thirdPartiesConfigSchema } from './third-parties/third-party-faults';
import { ThirdPartiesModule } from './third-parties/third-parties.module';
import { WebhookStreamsService } from './webhooks/webhook-streams.service';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface AppDependencies {
  config: SimConfig;
  logger: Logger;
  registry: Registry;
  /** The SMTP sink's port; default `SIM_SMTP_PORT` (2525). 0 picks a free one (tests). */
  smtpPort?: number;
}

@Module({})
export class AppModule {
  /** Config, logger and registry are built in `main.ts` (or a test) before Nest starts. */
  static forRoot({ config, logger, registry, smtpPort }: AppDependencies): DynamicModule {
    const thirdParties = ThirdPartiesModule.forRoot({
      smtpPort: smtpPort ?? loadConfig(thirdPartiesConfigSchema).SIM_SMTP_PORT,
    });
    return {
      module: AppModule,
      global: true,
      imports: [
        serviceConfigModule(config),
        WebhooksModule,
        thirdParties,
        AdminApiModule,
        HealthModule.forChecks({
          imports: [WebhooksModule, thirdParties],
          inject: [WebhookStreamsService, SmtpSinkService],
          useFactory: (streams: WebhookStreamsService, smtp: SmtpSinkService) => [
            // The simulator depends on nothing external; ready means the engine still accepts work.
            {
              name: 'webhook-delivery',
              check: async () => ({ pending: streams.pendingDeliveries() }),
            },
            // Details only: a sink that could not bind (port taken on a shared machine) or is
            // "down" by fault injection must not take the webhook side out of service.
            { name: 'smtp-sink', check: async () => ({ ...smtp.stats() }) },
          ],
        }),
      ],
      controllers: [MetricsController],
      providers: [
        { provide: SIM_LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: API_TOKENS, useValue: config.API_TOKENS },
        { provide: APP_GUARD, useClass: ApiTokenGuard },
      ],
      exports: [SIM_LOGGER, METRICS_REGISTRY],
    };
  }
}
