import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { kafkaOutboxPublisher, OutboxRelay, type OutboxRelayStatus } from '@shopwire/database';
import type { Logger, Registry } from '@shopwire/observability';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { OrderConfig } from '../config';
import { ORDER_DATA_SOURCE } from '../database/order-data-source';
import { ORDER_CONFIG, ORDER_KAFKA, ORDER_LOGGER } from '../order.tokens';

/**
 * Publishes the order service's domain events from `orders.outbox`. Every replica runs one; the
 * one holding the schema's relay lock publishes, the others stand by.
 *
 * Stopped in `beforeApplicationShutdown`, i.e. after the consumer (stopped in `onModuleDestroy`)
 * has committed its last chunk, so the events of that chunk are still published if Kafka is up;
 * whatever is left is published by the next relay to take the lock.
 */
@Injectable()
export class OrderOutboxService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly producer: Producer;
  private readonly relay: OutboxRelay;

  constructor(
    @Inject(ORDER_CONFIG) config: OrderConfig,
    @Inject(ORDER_KAFKA) kafka: Kafka,
    @Inject(ORDER_DATA_SOURCE) dataSource: DataSource,
    @Inject(ORDER_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    // One request per batch, idempotent, one in flight: see kafkaOutboxPublisher on ordering.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java-compatible murmur2, as the gateway's producer: a key's partition does not depend on
      // which client wrote it.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.relay = new OutboxRelay({
      dataSource,
      publisher: kafkaOutboxPublisher(this.producer),
      logger,
      registry,
      pollIntervalMs: config.ORDER_OUTBOX_POLL_MS,
      batchSize: config.ORDER_OUTBOX_BATCH,
      retentionMs: config.ORDER_OUTBOX_RETENTION_HOURS * 3_600_000,
    });
  }

  get status(): OutboxRelayStatus {
    return this.relay.status;
  }

  onApplicationBootstrap(): void {
    // Postgres or Kafka being down is not fatal here: the relay connects (and reconnects) on its
    // own, backing off, and readiness reports it meanwhile.
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.producer.disconnect();
    this.logger.info('outbox relay stopped');
  }
}
