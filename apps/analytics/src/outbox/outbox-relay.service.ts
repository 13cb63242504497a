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
import { ANALYTICS_CONFIG, ANALYTICS_KAFKA, ANALYTICS_LOGGER } from '../analytics.tokens';
import type { AnalyticsConfig } from '../config';
import { ANALYTICS_DATA_SOURCE } from '../database/analytics-data-source';

/**
 * Publishes `analytics.outbox` — today, job dispatches to `shopwire.jobs.analytics.v1`. Stops in
 * `beforeApplicationShutdown`, after the jobs runtime handed its running jobs back
 * (`onModuleDestroy`), so their re-dispatch goes out before the pool closes.
 */
@Injectable()
export class AnalyticsOutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly producer: Producer;
  private readonly relay: OutboxRelay;

  constructor(
    @Inject(ANALYTICS_CONFIG) private readonly config: AnalyticsConfig,
    @Inject(ANALYTICS_KAFKA) kafka: Kafka,
    @Inject(ANALYTICS_DATA_SOURCE) dataSource: DataSource,
    @Inject(ANALYTICS_LOGGER) private readonly logger: Logger,
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

  get status(): OutboxRelayStatus | null {
    return this.config.OUTBOX_RELAY_ENABLED ? this.relay.status : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.OUTBOX_RELAY_ENABLED) return;
    // Kafka down at boot: the first publish connects, and the relay backs off until it can.
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
