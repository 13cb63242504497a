import type { DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ConsumerGroup } from '@shopwire/contracts';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { AnalyticsConfig } from './config';
import { createAnalyticsDataSource } from './database/analytics-data-source';
import { runAnalyticsMigrations } from './database/migrate';

/**
 * Process-wide resources (config, logger, metrics, Kafka, producer, schema `analytics`) and the
 * consumer transport's settings for the analytics group.
 */
export const CoreModule = {
  forRoot(config: AnalyticsConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'analytics',
      config,
      logger,
      createDataSource: createAnalyticsDataSource,
      runMigrations: runAnalyticsMigrations,
      consumers: (c) => ({
        [ConsumerGroup.Analytics]: {
          groupId: c.ANALYTICS_CONSUMER_GROUP,
          partitionsConcurrently: c.ANALYTICS_PARTITIONS_CONCURRENTLY,
          maxChunk: c.ANALYTICS_MAX_CHUNK,
        },
      }),
    });
  },
};
