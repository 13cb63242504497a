import type { DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ConsumerGroup } from '@shopwire/contracts';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { NotificationConfig } from './config';
import { createNotificationDataSource } from './database/notification-data-source';
import { runNotificationMigrations } from './database/migrate';

/**
 * Process-wide resources (config, logger, metrics, Kafka, producer, schema `notification`) and the
 * consumer transport's settings for the notification group.
 */
export const CoreModule = {
  forRoot(config: NotificationConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'notification',
      config,
      logger,
      createDataSource: createNotificationDataSource,
      runMigrations: runNotificationMigrations,
      consumers: (c) => ({
        [ConsumerGroup.Notification]: {
          groupId: c.NOTIFICATION_CONSUMER_GROUP,
          partitionsConcurrently: c.NOTIFICATION_PARTITIONS_CONCURRENTLY,
          maxChunk: c.NOTIFICATION_MAX_CHUNK,
        },
      }),
    });
  },
};
