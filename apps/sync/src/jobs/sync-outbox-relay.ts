import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { kafkaOutboxPublisher, OutboxRelay, type OutboxRelayStatus } from '@shopwire/database';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { SYNC_DATA_SOURCE } from '../database/sync-data-source';
import { SYNC_KAFKA, SYNC_LOGGER } from '../sync.tokens';

/**
 * Publishes `sync.outbox`: job dispatches (`shopwire.jobs.sync.v1`) and the envelopes job steps
 * emit (`shopify.orders.v1`, `shopify.inventory.v1`). Stops in `beforeApplicationShutdown`, after
 * the jobs runtime handed its running jobs back (`onModuleDestroy`), so their re-dispatch and
 * the last committed step's messages go out before the pool closes. One leader per schema
 * (advisory lock), so every replica may run one.
 */
@Injectable()
export class SyncOutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly producer: Producer;
  private readonly relay: OutboxRelay;

  constructor(
    @Inject(SYNC_KAFKA) kafka: Kafka,
    @Inject(SYNC_DATA_SOURCE) dataSource: DataSource,
    @Inject(SYNC_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    // Idempotent with one request in flight: a retried batch neither duplicates nor reorders.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    this.relay = new OutboxRelay({
      dataSource,
      publisher: kafkaOutboxPublisher(this.producer),
      logger,
      registry,
    });
  }

  get status(): OutboxRelayStatus {
    return this.relay.status;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Kafka down at boot: the first publish connects, and the relay backs off until it can.
    await this.producer.connect().catch((error: unknown) => {
      this.logger.warn({ err: String(error) }, 'outbox producer could not connect yet');
    });
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.producer.disconnect();
  }
}
