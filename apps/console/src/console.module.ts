import { Module, type DynamicModule } from '@nestjs/common';
import { serviceConfigModule } from '@shopwire/config';
import { HealthModule, METRICS_REGISTRY, MetricsController } from '@shopwire/http';
import type { Registry } from '@shopwire/observability';
import type { ConsoleConfig } from './config';
import { DeadLettersPagesController } from './dead-letters/dead-letters.controller';
import { DeliveriesPageController } from './deliveries/deliveries.controller';
import { JobsPagesController } from './jobs/jobs.controller';
import { PlatformHealthController } from './platform/health.controller';
import { ConsoleServices } from './services/console-services';
import { LoginController } from './session/login.controller';
import { Pages } from './session/pages';
import { ShopsPagesController } from './shops/shops.controller';

/**
 * The console: pages over the services' internal APIs, called with the signed-in operator's
 * token. No Nest guard: the session hook (./session/console-fastify) closes every route but the
 * login page, probes, metrics and assets, and the services authorise each call themselves.
 */
@Module({})
export class ConsoleModule {
  static forRoot(config: ConsoleConfig, registry: Registry): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [
        serviceConfigModule(config),
        // Ready means able to serve pages: it owns nothing, and a service being down is shown
        // on the pages, not a reason to take the console out of rotation.
        HealthModule.forChecks({ useFactory: () => [] }),
      ],
      controllers: [
        LoginController,
        DeadLettersPagesController,
        JobsPagesController,
        ShopsPagesController,
        PlatformHealthController,
        DeliveriesPageController,
        MetricsController,
      ],
      providers: [{ provide: METRICS_REGISTRY, useValue: registry }, ConsoleServices, Pages],
    };
  }
}
