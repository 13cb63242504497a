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
import type { InventoryConfig } from '../config';
import { INVENTORY_DATA_SOURCE } from '../database/inventory-data-source';
import { INVENTORY_CONFIG, INVENTORY_KAFKA, INVENTORY_LOGGER } from '../inventory.tokens';

/**
 * Publishes `inventory.outbox` (low-stock events) to Kafka. Stops in `beforeApplicationShutdown`,
 * after the consumer has stopped (`onModuleDestroy`), so rows the last chunk wrote still go out
 * before the pool closes; whatever is left is published by the next relay that starts.
 */
@Injectable()
export class InventoryOutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly producer: Producer;
  private readonly relay: OutboxRelay;
  private connected = false;

  constructor(
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    @Inject(INVENTORY_KAFKA) kafka: Kafka,
    @Inject(INVENTORY_DATA_SOURCE) dataSource: DataSource,
    @Inject(INVENTORY_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    // One request in flight and idempotent: a retried batch can neither duplicate nor reorder.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    const publisher = kafkaOutboxPublisher(this.producer);
    this.producer.on(this.producer.events.CONNECT, () => (this.connected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
    this.relay = new OutboxRelay({
      dataSource,
      // kafkajs does not reconnect a producer whose first connect failed: connect on demand, and
      // the relay's backoff paces the attempts.
      publisher: {
        publish: async (messages) => {
          if (!this.connected) await this.producer.connect();
          await publisher.publish(messages);
        },
      },
      logger,
      registry,
    });
  }

  get status(): OutboxRelayStatus | null {
    return this.config.OUTBOX_RELAY_ENABLED ? this.relay.status : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.OUTBOX_RELAY_ENABLED) return;
    // Kafka down at boot: the relay's publish fails and backs off; it never throws from here.
    await this.producer.connect().catch((error: unknown) => {
      this.logger.warn({ err: String(error) }, 'outbox producer could not connect yet');
    });
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.config.OUTBOX_RELAY_ENABLED) return;
    await this.relay.stop();
    await this.producer.disconnect();
    this.logger.info('outbox relay stopped');
  }
}
