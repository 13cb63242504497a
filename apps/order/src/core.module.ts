import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { API_TOKENS, METRICS_REGISTRY } from '@shopwire/http';
import { BatchingProducer, createKafkaClient } from '@shopwire/kafka';
import { createMetricsRegistry, stopTracing, type Logger } from '@shopwire/observability';
import type { DataSource } from 'typeorm';
import type { OrderConfig } from './config';
import { runOrderMigrations } from './database/migrate';
import { createOrderDataSource, ORDER_DATA_SOURCE } from './database/order-data-source';
import { ORDER_CONFIG, ORDER_KAFKA, ORDER_LOGGER, ORDER_PRODUCER } from './order.tokens';
import type { Kafka } from 'kafkajs';

/** Closes the pool last: Nest runs onApplicationShutdown after every onModuleDestroy (consumer stop). */
class DataSourceCloser implements OnApplicationShutdown {
  constructor(
    @Inject(ORDER_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ORDER_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.logger.info('database pool closed');
  }
}

/** Closes the failure-path producer after the consumer stopped (onModuleDestroy runs first). */
class ProducerCloser implements OnApplicationShutdown {
  constructor(@Inject(ORDER_PRODUCER) private readonly producer: BatchingProducer) {}

  onApplicationShutdown(): Promise<void> {
    return this.producer.close();
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
  static forRoot(config: OrderConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: ORDER_CONFIG, useValue: config },
        { provide: ORDER_LOGGER, useValue: logger },
        { provide: API_TOKENS, useValue: config.API_TOKENS },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('order') },
        {
          provide: ORDER_KAFKA,
          useFactory: () =>
            createKafkaClient({
              brokers: config.KAFKA_BROKERS,
              clientId: config.KAFKA_CLIENT_ID ?? 'shopwire-order',
              logger,
            }),
        },
        {
          provide: ORDER_PRODUCER,
          inject: [ORDER_KAFKA],
          useFactory: (kafka: Kafka) => new BatchingProducer(kafka, logger),
        },
        {
          provide: ORDER_DATA_SOURCE,
          useFactory: async () => {
            const dataSource = createOrderDataSource({
              url: config.DATABASE_URL,
              poolSize: config.DATABASE_POOL_SIZE,
            });
            await dataSource.initialize();
            if (config.RUN_MIGRATIONS) {
              const applied = await runOrderMigrations(dataSource);
              logger.info({ applied }, 'migrations run');
            }
            return dataSource;
          },
        },
        DataSourceCloser,
        ProducerCloser,
        TracingFlusher,
      ],
      exports: [
        ORDER_CONFIG,
        ORDER_LOGGER,
        API_TOKENS,
        METRICS_REGISTRY,
        ORDER_KAFKA,
        ORDER_PRODUCER,
        ORDER_DATA_SOURCE,
      ],
    };
  }
}
