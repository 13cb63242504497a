import type { DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ServiceCoreModule } from '@shopwire/service-runtime';
import type { OrderConfig } from './config';
import { runOrderMigrations } from './database/migrate';
import { createOrderDataSource } from './database/order-data-source';

/** Process-wide resources (config, logger, metrics, Kafka, producer, schema `orders`). */
export const CoreModule = {
  forRoot(config: OrderConfig, logger: Logger): DynamicModule {
    return ServiceCoreModule.forRoot({
      service: 'order',
      config,
      logger,
      createDataSource: createOrderDataSource,
      runMigrations: runOrderMigrations,
    });
  },
};
