import type { DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { AnalyticsConfig } from './config';
import { createAnalyticsDataSource } from './database/analytics-data-source';
import { runAnalyticsMigrations } from './database/migrate';

/** Process-wide resources (config, logger, metrics, Kafka, producer, schema `analytics`). */
export const CoreModule = {
  forRoot(config: AnalyticsConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'analytics',
      config,
      logger,
      createDataSource: createAnalyticsDataSource,
      runMigrations: runAnalyticsMigrations,
    });
  },
};
