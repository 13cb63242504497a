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
import type { NotificationConfig } from './config';
import { runNotificationMigrations } from './database/migrate';
import {
  createNotificationDataSource,
  NOTIFICATION_DATA_SOURCE,
} from './database/notification-data-source';
import {
  NOTIFICATION_CONFIG,
  NOTIFICATION_KAFKA,
  NOTIFICATION_LOGGER,
} from './notification.tokens';

/** Closes the pool last: Nest runs onApplicationShutdown after every onModuleDestroy (consumer stop). */
class DataSourceCloser implements OnApplicationShutdown {
  constructor(
    @Inject(NOTIFICATION_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_LOGGER) private readonly logger: Logger,
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
  static forRoot(config: NotificationConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: NOTIFICATION_CONFIG, useValue: config },
        { provide: NOTIFICATION_LOGGER, useValue: logger },
        { provide: API_TOKENS, useValue: config.API_TOKENS },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('notification') },
        {
          provide: NOTIFICATION_KAFKA,
          useFactory: () =>
            createKafkaClient({
              brokers: config.KAFKA_BROKERS,
              clientId: config.KAFKA_CLIENT_ID ?? 'shopwire-notification',
              logger,
            }),
        },
        {
          provide: NOTIFICATION_DATA_SOURCE,
          useFactory: async () => {
            const dataSource = createNotificationDataSource({
              url: config.DATABASE_URL,
              poolSize: config.DATABASE_POOL_SIZE,
            });
            await dataSource.initialize();
            if (config.RUN_MIGRATIONS) {
              const applied = await runNotificationMigrations(dataSource);
              logger.info({ applied }, 'migrations run');
            }
            return dataSource;
          },
        },
        DataSourceCloser,
        TracingFlusher,
      ],
      exports: [
        NOTIFICATION_CONFIG,
        NOTIFICATION_LOGGER,
        API_TOKENS,
        METRICS_REGISTRY,
        NOTIFICATION_KAFKA,
        NOTIFICATION_DATA_SOURCE,
      ],
    };
  }
}
