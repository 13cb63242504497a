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
import type { SyncConfig } from './config';
import { runSyncMigrations } from './database/migrate';
import { createSyncDataSource, SYNC_DATA_SOURCE } from './database/sync-data-source';
import { SYNC_CONFIG, SYNC_KAFKA, SYNC_LOGGER } from './sync.tokens';

/** Closes the pool last: Nest runs onApplicationShutdown after every onModuleDestroy (consumer stop). */
class DataSourceCloser implements OnApplicationShutdown {
  constructor(
    @Inject(SYNC_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SYNC_LOGGER) private readonly logger: Logger,
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
  static forRoot(config: SyncConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: SYNC_CONFIG, useValue: config },
        { provide: SYNC_LOGGER, useValue: logger },
        { provide: API_TOKENS, useValue: config.API_TOKENS },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('sync') },
        {
          provide: SYNC_KAFKA,
          useFactory: () =>
            createKafkaClient({
              brokers: config.KAFKA_BROKERS,
              clientId: config.KAFKA_CLIENT_ID ?? 'shopwire-sync',
              logger,
            }),
        },
        {
          provide: SYNC_DATA_SOURCE,
          useFactory: async () => {
            const dataSource = createSyncDataSource({
              url: config.DATABASE_URL,
              poolSize: config.DATABASE_POOL_SIZE,
            });
            await dataSource.initialize();
            if (config.RUN_MIGRATIONS) {
              const applied = await runSyncMigrations(dataSource);
              logger.info({ applied }, 'migrations run');
            }
            return dataSource;
          },
        },
        DataSourceCloser,
        TracingFlusher,
      ],
      exports: [
        SYNC_CONFIG,
        SYNC_LOGGER,
        API_TOKENS,
        METRICS_REGISTRY,
        SYNC_KAFKA,
        SYNC_DATA_SOURCE,
      ],
    };
  }
}
