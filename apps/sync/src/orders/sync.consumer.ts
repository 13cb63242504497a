import { Controller, Inject } from '@nestjs/common';
import { ConsumerGroup, SUBSCRIPTIONS } from '@shopwire/contracts';
import { ConsumeChunks, type ConsumerChunk } from '@shopwire/kafka';
import { extractTraceContext, type Logger } from '@shopwire/observability';
import type { KafkaMessage } from 'kafkajs';
import { SERVICE_LOGGER } from '@shopwire/service-runtime';
import { CatalogCache } from '../catalog/catalog-cache';
import { ErpSyncWorker } from './erp-sync.worker';
import { decodeSyncInput } from './sync-events';
import { SyncService } from './sync.service';

/**
 * Reads the sync group's subscriptions (accepted orders, products, compliance, installation
 * changes) on the service's consumer transport: each chunk is applied in one transaction with the
 * inbox. A message that is not a valid event goes to the DLQ with the reason once the rest has
 * committed; it is logged by offset and reason only, never its value.
 */
@Controller()
export class SyncConsumer {
  constructor(
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly service: SyncService,
    private readonly worker: ErpSyncWorker,
    private readonly catalogCache: CatalogCache,
  ) {}

  // Bounded retries, then the retry topic and the DLQ (docs/adr/0002); outages wait in place.
  // Group id, concurrency and chunk size: CoreModule's config.
  @ConsumeChunks({ group: ConsumerGroup.Sync, topics: [...SUBSCRIPTIONS.sync] })
  async handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    const inputs = messages.map((m) => decodeSyncInput(chunk.topic, m));
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
      if (input.kind === 'ignored') chunk.ignored(input.reason);
      else if (input.kind === 'rejected') {
        // To the DLQ with the reason once the rest has committed, rather than gone without a trace.
        const parked = chunk.rejected(messages[index], input.reason);
        this.logger.warn(
          {
            topic: chunk.topic,
            partition: chunk.partition,
            offset: input.offset,
            reason: input.reason,
          },
          parked
            ? 'message is not a valid event; dead-lettered'
            : 'message is not a valid event; skipped',
        );
      }
    }
  }
}
