import type { DynamicModule } from '@nestjs/common';
import { ConsumerGroup } from '@shopwire/contracts';
import type { Logger } from '@shopwire/observability';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { SyncConfig } from './config';
import { createSyncDataSource } from './database/sync-data-source';
import { runSyncMigrations } from './database/migrate';

/**
 * Process-wide resources (config, logger, metrics, Kafka, producer, schema `sync`) and the
 * consumer transport's settings for the sync group.
 */
export const CoreModule = {
  forRoot(config: SyncConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'sync',
      config,
      logger,
      createDataSource: createSyncDataSource,
      runMigrations: runSyncMigrations,
      consumers: (c) => ({
        [ConsumerGroup.Sync]: {
          groupId: c.SYNC_CONSUMER_GROUP,
          partitionsConcurrently: c.SYNC_PARTITIONS_CONCURRENTLY,
          maxChunk: c.SYNC_MAX_CHUNK,
        },
      }),
    });
  },
};
