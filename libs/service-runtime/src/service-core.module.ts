import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  apiCredentialsOf,
  kafkaConnection,
  SERVICE_CONFIG,
  serviceConfigModule,
  type ApiCredentialSpec,
  type KafkaConnectionConfig,
} from '@shopwire/config';
import { API_CREDENTIALS, API_TOKENS, METRICS_REGISTRY } from '@shopwire/http';
import {
  BatchingProducer,
  ChunkConsumerTransport,
  createKafkaClient,
  type ChunkConsumerTuning,
} from '@shopwire/kafka';
import {
  createMetricsRegistry,
  stopTracing,
  type Logger,
  type Registry,
} from '@shopwire/observability';
import { DeliveryJournalWriter } from '@shopwire/database';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { inboxPrunerProvider } from './inbox-pruning.provider';

/**
 * Nest tokens for the resources every Shopwire consumer service holds once per process. The
 * configuration is `@nestjs/config`'s (`serviceConfigModule`, docs/adr/0009), re-exported here so
 * a service finds all its tokens in one place.
 */
export { SERVICE_CONFIG };
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');
export const SERVICE_KAFKA = Symbol('SERVICE_KAFKA');
/** Acked producer for the consumer's failure path (retry topic, dead letters) and replays. */
export const SERVICE_PRODUCER = Symbol('SERVICE_PRODUCER');
export const SERVICE_DATA_SOURCE = Symbol('SERVICE_DATA_SOURCE');
/** The service's name (`order`, `inventory`…), as its metrics and delivery journal name it. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/** The config fields this module reads; each service's own schema includes them. */
export interface ServiceRuntimeConfig extends KafkaConnectionConfig {
  KAFKA_CLIENT_ID?: string;
  /** Consumers' session timeout (kafkaEnv; 30 s unless set). */
  KAFKA_SESSION_TIMEOUT_MS?: number;
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  RUN_MIGRATIONS: boolean;
  API_TOKENS: Map<string, string>;
  /** Hashed, scoped credentials (`apiAccessEnv`); API_TOKENS is the development fallback. */
  API_CREDENTIALS?: ApiCredentialSpec[];
}

export interface ServiceCoreOptions<TConfig extends ServiceRuntimeConfig> {
  /** The service's name: metrics label, Kafka client id. */
  service: string;
  config: TConfig;
  logger: Logger;
  /** The service's schema-scoped data source (not initialised yet). */
  createDataSource: (options: { url: string; poolSize: number }) => DataSource;
  /** Applies the schema's migrations; run at boot only when RUN_MIGRATIONS is set. */
  runMigrations: (dataSource: DataSource) => Promise<string[]>;
  /**
   * Per logical group, the consumer settings that come from configuration (group id,
   * partitions concurrently, chunk size) for the service's `@ConsumeChunks` handlers.
   */
  consumers?: (config: TConfig) => Record<string, ChunkConsumerTuning>;
}

/**
 * Shutdown, in the order Nest's `app.close()` runs it: every `onModuleDestroy`, then HTTP closes
 * and the consumer transport (a connected microservice) stops once its in-flight chunks have
 * committed; then, in `onApplicationShutdown`, the failure-path producer flushes, the pool closes
 * and pending spans are exported (docs/adr/0008).
 */
class RuntimeCloser implements OnApplicationShutdown {
  constructor(
    @Inject(SERVICE_PRODUCER) private readonly producer: BatchingProducer,
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.producer.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.logger.info('producer flushed, database pool closed');
    await stopTracing();
  }
}

/**
 * Process-wide resources of a consumer service: config, logger, metrics registry, API tokens,
 * Kafka client, failure-path producer and its Postgres schema's data source (migrated at boot
 * when asked). Global, so feature modules inject the tokens above.
 */
@Global()
@Module({})
export class ServiceCoreModule {
  static forRoot<TConfig extends ServiceRuntimeConfig>(
    options: ServiceCoreOptions<TConfig>,
  ): DynamicModule {
    const { service, config, logger } = options;
    return {
      module: ServiceCoreModule,
      // The validated configuration as Nest's ConfigModule (global): SERVICE_CONFIG, ConfigService.
      imports: [serviceConfigModule(config)],
      providers: [
        { provide: SERVICE_LOGGER, useValue: logger },
        { provide: SERVICE_NAME, useValue: service },
        { provide: API_TOKENS, useValue: config.API_TOKENS },
        {
          provide: API_CREDENTIALS,
          // Refuses to start when neither API_CREDENTIALS nor API_TOKENS names a caller.
          useFactory: () => (apiCredentialsOf(config), config.API_CREDENTIALS ?? []),
        },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(service) },
        {
          provide: SERVICE_KAFKA,
          useFactory: () =>
            createKafkaClient({
              ...kafkaConnection(config),
              clientId: config.KAFKA_CLIENT_ID ?? `shopwire-${service}`,
              consumerSessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
              logger,
            }),
        },
        {
          provide: SERVICE_PRODUCER,
          inject: [SERVICE_KAFKA],
          useFactory: (kafka: Kafka) => new BatchingProducer(kafka, logger),
        },
        {
          provide: SERVICE_DATA_SOURCE,
          useFactory: async () => {
            const dataSource = options.createDataSource({
              url: config.DATABASE_URL,
              poolSize: config.DATABASE_POOL_SIZE,
            });
            await dataSource.initialize();
            if (config.RUN_MIGRATIONS) {
              const applied = await options.runMigrations(dataSource);
              logger.info({ applied }, 'migrations run');
            }
            return dataSource;
          },
        },
        {
          // The service's consumers, started by `startConsumers(app)` in main.ts.
          provide: ChunkConsumerTransport,
          inject: [SERVICE_KAFKA, SERVICE_PRODUCER, METRICS_REGISTRY, SERVICE_DATA_SOURCE],
          useFactory: (
            kafka: Kafka,
            producer: BatchingProducer,
            registry: Registry,
            dataSource: DataSource,
          ) =>
            new ChunkConsumerTransport({
              kafka,
              producer,
              registry,
              logger,
              groups: options.consumers?.(config),
              // Every delivery journaled in the service's own schema (docs/adr/0011).
              journal: new DeliveryJournalWriter(dataSource),
            }),
        },
        inboxPrunerProvider(SERVICE_DATA_SOURCE, logger),
        RuntimeCloser,
      ],
      exports: [
        SERVICE_LOGGER,
        SERVICE_NAME,
        API_TOKENS,
        API_CREDENTIALS,
        METRICS_REGISTRY,
        SERVICE_KAFKA,
        SERVICE_PRODUCER,
        SERVICE_DATA_SOURCE,
        ChunkConsumerTransport,
      ],
    };
  }
}
