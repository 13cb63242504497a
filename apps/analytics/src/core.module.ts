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
import type { AnalyticsConfig } from './config';
import { runAnalyticsMigrations } from './database/migrate';
import { createAnalyticsDataSource, ANALYTICS_DATA_SOURCE } from './database/analytics-data-source';
import { ANALYTICS_CONFIG, ANALYTICS_KAFKA, ANALYTICS_LOGGER } from './analytics.tokens';

/** Closes the pool last: Nest runs onApplicationShutdown after every onModuleDestroy (consumer stop). */
class DataSourceCloser implements OnApplicationShutdown {
  constructor(
    @Inject(ANALYTICS_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ANALYTICS_LOGGER) private readonly logger: Logger,
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
  static forRoot(config: AnalyticsConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: ANALYTICS_CONFIG, useValue: config },
        { provide: ANALYTICS_LOGGER, useValue: logger },
        { provide: API_TOKENS, useValue: config.API_TOKENS },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('analytics') },
        {
          provide: ANALYTICS_KAFKA,
          useFactory: () =>
            createKafkaClient({
              brokers: config.KAFKA_BROKERS,
              clientId: config.KAFKA_CLIENT_ID ?? 'shopwire-analytics',
              logger,
            }),
        },
        {
          provide: ANALYTICS_DATA_SOURCE,
          useFactory: async () => {
            const dataSource = createAnalyticsDataSource({
              url: config.DATABASE_URL,
              poolSize: config.DATABASE_POOL_SIZE,
            });
            await dataSource.initialize();
            if (config.RUN_MIGRATIONS) {
              const applied = await runAnalyticsMigrations(dataSource);
              logger.info({ applied }, 'migrations run');
            }
            return dataSource;
          },
        },
        DataSourceCloser,
        TracingFlusher,
      ],
      exports: [
        ANALYTICS_CONFIG,
        ANALYTICS_LOGGER,
        API_TOKENS,
        METRICS_REGISTRY,
        ANALYTICS_KAFKA,
        ANALYTICS_DATA_SOURCE,
      ],
    };
  }
}
