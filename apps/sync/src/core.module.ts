import type { DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { SyncConfig } from './config';
import { createSyncDataSource } from './database/sync-data-source';
import { runSyncMigrations } from './database/migrate';

/** Process-wide resources (config, logger, metrics, Kafka, producer, schema `sync`). */
export const CoreModule = {
  forRoot(config: SyncConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'sync',
      config,
      logger,
      createDataSource: createSyncDataSource,
      runMigrations: runSyncMigrations,
    });
  },
};
