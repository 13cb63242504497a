import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { API_TOKENS, METRICS_REGISTRY } from '@shopwire/http';
import { createKafkaClient } from '@shopwire/kafka';
import { createMetricsRegistry, stopTracing, type Logger } from '@shopwire/observability';
import type { DataSource } from 'typeorm';
import type { InventoryConfig } from './config';
import { runInventoryMigrations } from './database/migrate';
import { createInventoryDataSource, INVENTORY_DATA_SOURCE } from './database/inventory-data-source';
import { INVENTORY_CONFIG, INVENTORY_KAFKA, INVENTORY_LOGGER } from './inventory.tokens';

/** Closes the pool last: Nest runs onApplicationShutdown after every onModuleDestroy (consumer stop). */
class DataSourceCloser implements OnApplicationShutdown {
  constructor(
    @Inject(INVENTORY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(INVENTORY_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.logger.info('database pool closed');
  }
}

/** Flushes spans not yet exported; after this the process exits. */
class TracingFlusher implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return stopTracing();
  }
}

/** Process-wide resources: config, logger, metrics registry, Postgres, Kafka client, API tokens. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: InventoryConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: INVENTORY_CONFIG, useValue: config },
        { provide: INVENTORY_LOGGER, useValue: logger },
        { provide: API_TOKENS, useValue: config.API_TOKENS },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('inventory') },
        {
          provide: INVENTORY_KAFKA,
          useFactory: () =>
            createKafkaClient({
              brokers: config.KAFKA_BROKERS,
              clientId: config.KAFKA_CLIENT_ID ?? 'shopwire-inventory',
              logger,
            }),
        },
        {
          provide: INVENTORY_DATA_SOURCE,
          useFactory: async () => {
            const dataSource = createInventoryDataSource({
              url: config.DATABASE_URL,
              poolSize: config.DATABASE_POOL_SIZE,
            });
            await dataSource.initialize();
            if (config.RUN_MIGRATIONS) {
              const applied = await runInventoryMigrations(dataSource);
              logger.info({ applied }, 'migrations run');
            }
            return dataSource;
          },
        },
        DataSourceCloser,
        TracingFlusher,
      ],
      exports: [
        INVENTORY_CONFIG,
        INVENTORY_LOGGER,
        API_TOKENS,
        METRICS_REGISTRY,
        INVENTORY_KAFKA,
        INVENTORY_DATA_SOURCE,
      ],
    };
  }
}
