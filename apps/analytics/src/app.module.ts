import { Module, type DynamicModule } from '@nestjs/common';
import { ConsumerGroup } from '@shopwire/contracts';
import type { Logger } from '@shopwire/observability';
import { ConsumerServiceModule } from '@shopwire/service-runtime';
import type { AnalyticsConfig } from './config';
import { CoreModule } from './core.module';
import { OutboxModule } from './outbox/outbox.module';
import { analyticsJobsModule } from './reports/jobs';
import { SalesModule } from './sales/sales.module';

@Module({})
export class AppModule {
  static register(config: AnalyticsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Readiness covers every group in the broker's view: analytics, and the jobs' dispatch
        // group (`jobs`).
        ConsumerServiceModule.register({
          core: CoreModule.forRoot(config, logger),
          imports: [SalesModule, OutboxModule, analyticsJobsModule(config)],
          deadLetters: ConsumerGroup.Analytics,
          outbox: OutboxModule,
        }),
      ],
    };
  }
}
