import type {
  BeforeApplicationShutdown,
  FactoryProvider,
  OnApplicationBootstrap,
} from '@nestjs/common';
import {
  kafkaOutboxPublisher,
  OutboxRelay,
  type OutboxRelayOptions,
  type OutboxRelayStatus,
} from '@shopwire/database';
import { METRICS_REGISTRY, type ReadinessCheck } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  SERVICE_CONFIG,
  SERVICE_DATA_SOURCE,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
} from './service-core.module';

/** The relay settings a service may tune; the relay's defaults where not given. */
export type OutboxRelayTuning = Pick<
  OutboxRelayOptions,
  'pollIntervalMs' | 'batchSize' | 'retentionMs'
>;

/** What differs between services, read from each one's own config. */
export interface ServiceOutboxRelaySettings<TConfig> {
  /**
   * Whether this process runs the relay (default: always). Off, nothing starts and readiness
   * reports `{ enabled: false }`.
   */
  enabled?: (config: TConfig) => boolean;
  tuning?: (config: TConfig) => OutboxRelayTuning;
}

export interface ServiceOutboxRelayOptions {
  enabled: boolean;
  kafka: Kafka;
  dataSource: DataSource;
  logger: Logger;
  registry: Registry;
  tuning?: OutboxRelayTuning;
}

/**
 * A service's outbox relay (`<schema>.outbox` to Kafka) in the Nest lifecycle. Every replica runs
 * one; the one holding the schema's relay lock publishes, the others stand by.
 *
 * Starts on bootstrap. Postgres or Kafka being down then is not fatal: the relay retries with
 * backoff, its publisher connects the producer on demand, and readiness reports the failures.
 * Stops in `beforeApplicationShutdown`, i.e. after consumers and job runtimes stopped in
 * `onModuleDestroy`, so the rows their last commit wrote still go out before the pool closes;
 * whatever is left is published by the next relay to take the lock.
 *
 * Provide it with `ServiceOutboxRelay.provider(settings)` and inject it by its class.
 */
export class ServiceOutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  static provider<TConfig>(
    settings: ServiceOutboxRelaySettings<TConfig> = {},
  ): FactoryProvider<ServiceOutboxRelay> {
    return {
      provide: ServiceOutboxRelay,
      inject: [
        SERVICE_CONFIG,
        SERVICE_KAFKA,
        SERVICE_DATA_SOURCE,
        SERVICE_LOGGER,
        METRICS_REGISTRY,
      ],
      useFactory: (
        config: TConfig,
        kafka: Kafka,
        dataSource: DataSource,
        logger: Logger,
        registry: Registry,
      ) =>
        new ServiceOutboxRelay({
          enabled: settings.enabled?.(config) ?? true,
          kafka,
          dataSource,
          logger,
          registry,
          tuning: settings.tuning?.(config),
        }),
    };
  }

  private readonly producer: Producer;
  private readonly relay: OutboxRelay;

  constructor(private readonly options: ServiceOutboxRelayOptions) {
    // One request per batch, idempotent, one in flight: a retried batch neither duplicates nor
    // reorders (see kafkaOutboxPublisher). Java-compatible murmur2, as the gateway's producer: a
    // key's partition does not depend on which client wrote it.
    this.producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.relay = new OutboxRelay({
      dataSource: options.dataSource,
      publisher: kafkaOutboxPublisher(this.producer),
      logger: options.logger,
      registry: options.registry,
      ...options.tuning,
    });
  }

  /** The relay's state; null where this process does not run it. */
  get status(): OutboxRelayStatus | null {
    return this.options.enabled ? this.relay.status : null;
  }

  /**
   * `outbox-relay` for `/health/ready`. A standby replica is ready; the publishing one is not
   * while Kafka or Postgres keep failing its cycles (events then wait, safely, in the outbox).
   */
  readinessCheck(): ReadinessCheck {
    return {
      name: 'outbox-relay',
      check: () => {
        const status = this.status;
        if (status === null) return Promise.resolve({ enabled: false });
        if (!status.healthy)
          return Promise.reject(new Error(status.lastError ?? 'outbox relay is not running'));
        return Promise.resolve({ leader: status.leader, pending: status.pending });
      },
    };
  }

  onApplicationBootstrap(): void {
    if (this.options.enabled) this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.options.enabled) return;
    await this.relay.stop();
    await this.producer.disconnect();
    this.options.logger.info('outbox relay stopped');
  }
}
