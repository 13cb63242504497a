import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { BatchingProducer, type OutgoingMessage } from '@shopwire/kafka';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import type { GatewayMetrics } from '../webhooks/gateway-metrics';
import type { WebhookSink } from '../webhooks/webhook-intake.service';

/**
 * The gateway's connection to Kafka: the batching producer that webhooks are written through, and
 * an admin client that readiness uses to ask the cluster whether it answers.
 *
 * It closes in `onApplicationShutdown`, which Nest runs after the HTTP server stopped accepting
 * and finished its in-flight requests, so every request that is still waiting for an ack gets it.
 */
@Injectable()
export class WebhookProducer implements WebhookSink, OnApplicationShutdown {
  private readonly producer: BatchingProducer;
  private admin: Admin | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly logger: Logger,
    config: GatewayConfig,
    metrics: GatewayMetrics,
  ) {
    this.producer = new BatchingProducer(kafka, logger, {
      ackTimeoutMs: config.KAFKA_ACK_TIMEOUT_MS,
      lanes: config.KAFKA_PRODUCER_LANES,
      maxBatchMessages: config.KAFKA_MAX_BATCH,
      lingerMs: config.KAFKA_LINGER_MS,
      onBatch: ({ messages, durationMs, ok }) => {
        metrics.batchSize.observe(messages);
        metrics.batchLatency.observe({ outcome: ok ? 'ok' : 'error' }, durationMs / 1000);
      },
    });
  }

  /** Connects at boot without failing it: a gateway up before Kafka answers 503 until Kafka is. */
  async start(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      this.logger.warn({ err: error }, 'Kafka not reachable at boot; webhooks get 503 until it is');
    }
  }

  send(message: OutgoingMessage): Promise<void> {
    return this.producer.send(message);
  }

  async checkCluster(): Promise<Record<string, unknown>> {
    this.admin ??= this.kafka.admin();
    try {
      await this.admin.connect();
      const cluster = await this.admin.describeCluster();
      return {
        brokers: cluster.brokers.length,
        producer: this.producer.healthy.ok ? 'ok' : 'recovering',
      };
    } catch (error) {
      const admin = this.admin;
      this.admin = null;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.close();
    await this.admin?.disconnect().catch(() => undefined);
    this.logger.info('Kafka producer flushed and closed');
  }
}
