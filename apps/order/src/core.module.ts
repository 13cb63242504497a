import type { DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ConsumerGroup } from '@shopwire/contracts';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { OrderConfig } from './config';
import { runOrderMigrations } from './database/migrate';
import { createOrderDataSource } from './database/order-data-source';

/**
 * Process-wide resources (config, logger, metrics, Kafka, producer, schema `orders`) and the
 * consumer transport's settings for the order group.
 */
export const CoreModule = {
  forRoot(config: OrderConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'order',
      config,
      logger,
      createDataSource: createOrderDataSource,
      runMigrations: runOrderMigrations,
      consumers: (c) => ({
        [ConsumerGroup.Order]: {
          groupId: c.ORDER_CONSUMER_GROUP,
          partitionsConcurrently: c.ORDER_PARTITIONS_CONCURRENTLY,
          maxChunk: c.ORDER_MAX_CHUNK,
        },
      }),
    });
  },
};
