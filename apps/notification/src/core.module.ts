import type { DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { NotificationConfig } from './config';
import { createNotificationDataSource } from './database/notification-data-source';
import { runNotificationMigrations } from './database/migrate';

/** Process-wide resources (config, logger, metrics, Kafka, producer, schema `notification`). */
export const CoreModule = {
  forRoot(config: NotificationConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'notification',
      config,
      logger,
      createDataSource: createNotificationDataSource,
      runMigrations: runNotificationMigrations,
    });
  },
};
