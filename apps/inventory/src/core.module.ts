import type { DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ConsumerGroup } from '@shopwire/contracts';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { InventoryConfig } from './config';
import { createInventoryDataSource } from './database/inventory-data-source';
import { runInventoryMigrations } from './database/migrate';

/**
 * Process-wide resources (config, logger, metrics, Kafka, producer, schema `inventory`) and the
 * consumer transport's settings for the inventory group.
 */
export const CoreModule = {
  forRoot(config: InventoryConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'inventory',
      config,
      logger,
      createDataSource: createInventoryDataSource,
      runMigrations: runInventoryMigrations,
      consumers: (c) => ({
        [ConsumerGroup.Inventory]: {
          groupId: c.INVENTORY_CONSUMER_GROUP,
          partitionsConcurrently: c.INVENTORY_PARTITIONS_CONCURRENTLY,
          maxChunk: c.INVENTORY_MAX_CHUNK,
        },
      }),
    });
  },
};
