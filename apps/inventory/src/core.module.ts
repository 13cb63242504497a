import type { DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { InventoryConfig } from './config';
import { createInventoryDataSource } from './database/inventory-data-source';
import { runInventoryMigrations } from './database/migrate';

/** Process-wide resources (config, logger, metrics, Kafka, producer, schema `inventory`). */
export const CoreModule = {
  forRoot(config: InventoryConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'inventory',
      config,
      logger,
      createDataSource: createInventoryDataSource,
      runMigrations: runInventoryMigrations,
    });
  },
};
