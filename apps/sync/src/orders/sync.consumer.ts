import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ConsumerGroup, SUBSCRIPTIONS } from '@shopwire/contracts';
import {
  backoffDelay,
  briefError,
  ConsumerRunner,
  deadLetterMalformed,
  type BatchingProducer,
  type ChunkContext,
  type ConsumerRunnerStatus,
} from '@shopwire/kafka';
import { extractTraceContext, type Logger } from '@shopwire/observability';
import type { Kafka, KafkaMessage } from 'kafkajs';
import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Registry } from '@shopwire/observability';
import { CatalogCache } from '../catalog/catalog-cache';
import { ErpSyncWorker } from './erp-sync.worker';
import { decodeSyncInput } from './sync-events';
import { SyncMetrics } from './sync.metrics';
import { SyncService } from './sync.service';

/** Reads the sync group's subscriptions (accepted orders, products, compliance). */
@Injectable()
export class SyncConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly runner: ConsumerRunner;
  private starting: Promise<void> | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(SERVICE_CONFIG) config: SyncConfig,
    @Inject(SERVICE_KAFKA) kafka: Kafka,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly service: SyncService,
    private readonly worker: ErpSyncWorker,
    private readonly metrics: SyncMetrics,
    @Inject(SERVICE_PRODUCER) producer: BatchingProducer,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly catalogCache: CatalogCache,
  ) {
    this.runner = new ConsumerRunner({
      kafka,
      groupId: config.SYNC_CONSUMER_GROUP,
      topics: [...SUBSCRIPTIONS.sync],
      logger: logger.child({ component: 'sync-consumer' }),
      partitionsConcurrently: config.SYNC_PARTITIONS_CONCURRENTLY,
      maxChunk: config.SYNC_MAX_CHUNK,
      handleBatch: (messages, context) => this.handleChunk(messages, context),
      // Bounded retries, then the retry topic and the DLQ (docs/adr/0002); outages wait in place.
      deadLetters: { group: ConsumerGroup.Sync, producer, registry },
      hooks: metrics.runnerHooks,
    });
  }

  get status(): ConsumerRunnerStatus {
    return this.runner.status;
  }

  onApplicationBootstrap(): void {
    this.starting = this.startUntilRunning();
  }

  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    await this.starting;
    await this.runner.stop();
    this.logger.info('sync consumer stopped');
  }

  async handleChunk(messages: KafkaMessage[], context: ChunkContext): Promise<void> {
    const inputs = messages.map((m) => decodeSyncInput(context.topic, m));
    const applicable = inputs.flatMap((i, index) =>
      i.kind === 'ignored' || i.kind === 'rejected'
        ? []
        : [{ ...i, trace: extractTraceContext(messages[index].headers) }],
    );
    if (applicable.length > 0 && (await this.service.apply(applicable))) this.worker.wake();
    await this.catalogCache.purgeAfterMirrorWrite(
      applicable.flatMap((i) =>
        i.kind === 'product'
          ? [{ shopDomain: i.shopDomain, productId: i.product.id }]
          : i.kind === 'product-deleted'
            ? [{ shopDomain: i.shopDomain, productId: i.productId }]
            : [],
      ),
    );
    for (const [index, input] of inputs.entries()) {
      if (input.kind !== 'rejected') continue;
      this.metrics.rejected.inc({ topic: input.topic, reason: input.reason });
      // To the DLQ with the reason once the rest has committed, rather than gone without a trace.
      const parked = deadLetterMalformed(context, messages[index], input.reason);
      this.logger.warn(
        { ...context, offset: input.offset, reason: input.reason },
        parked
          ? 'message is not a valid event; dead-lettered'
          : 'message is not a valid event; skipped',
      );
    }
  }

  private async startUntilRunning(): Promise<void> {
    for (let attempt = 1; !this.shuttingDown; attempt++) {
      try {
        await this.runner.start();
        return;
      } catch (error) {
        const delayMs = backoffDelay(attempt, 500, 10_000);
        this.logger.warn(
          { err: briefError(error), attempt, delayMs },
          'sync consumer could not start; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
