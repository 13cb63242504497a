import { decodeWebhookMessage } from '@shopwire/contracts';
import { ConsumerRunner, type ChunkContext, type ConsumerRunnerStatus } from '@shopwire/kafka';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { CacheAside } from './cache-aside';
import type { CacheMetrics } from './cache-metrics';
import type { CacheNamespace } from './namespaces';
import { purgeTargets, type PurgeTarget } from './webhook-purge';

export interface CachePurgeConsumerOptions {
  kafka: Kafka;
  /**
   * Its own consumer group: the cache lives in Redis, shared by every replica, so one purge per
   * webhook is enough — but it must not share a group (and offsets) with the service's consumer.
   */
  groupId: string;
  topics: string[];
  logger: Logger;
  metrics: CacheMetrics;
  /** The caches to purge, by namespace; targets in other namespaces are ignored. */
  caches: Partial<Record<CacheNamespace, CacheAside>>;
  /** Product and variant ids that show an inventory item (from the catalog the app keeps). */
  resolveInventoryItem?(
    shop: string,
    inventoryItemId: string,
  ): Promise<{
    productIds: string[];
    variantIds: string[];
  }>;
  /** Variant ids a product has (or had, if deleted), for products/delete, which names none. */
  resolveProductVariants?(shop: string, productId: string): Promise<string[]>;
  /** Wall clock for the purge-lag metric. */
  now?: () => number;
}

/**
 * Purges cache entries from webhooks on Kafka. A purge that cannot reach Redis throws, so the
 * runner retries the chunk in place (with backoff) until Redis is back: a purge is never lost,
 * and the offset is committed only after it happened. A message that is not a webhook envelope
 * or not JSON is skipped and logged (no retry could fix it).
 */
export class CachePurgeConsumer {
  private readonly runner: ConsumerRunner;
  private readonly now: () => number;

  constructor(private readonly options: CachePurgeConsumerOptions) {
    this.now = options.now ?? Date.now;
    this.runner = new ConsumerRunner({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: options.topics,
      logger: options.logger,
      // Purging is idempotent and cheap: chunks are handled as they come, partitions in parallel.
      partitionsConcurrently: 6,
      maxChunk: 500,
      retryBaseMs: 100,
      retryCapMs: 5000,
      // A new group has nothing stale to purge from before it existed; start at the end.
      fromBeginning: false,
      handleBatch: (messages, context) => this.handleChunk(messages, context),
    });
  }

  get status(): ConsumerRunnerStatus {
    return this.runner.status;
  }

  start(): Promise<void> {
    return this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  async handleChunk(messages: KafkaMessage[], context: ChunkContext): Promise<void> {
    // Grouped per cache and shop, so a chunk costs one Redis round trip per group.
    const groups = new Map<string, { cache: CacheAside; shop: string; ids: Set<string> }>();
    const add = (namespace: CacheNamespace, shop: string, ids: string[]) => {
      const cache = this.options.caches[namespace];
      if (!cache || ids.length === 0) return;
      const key = `${namespace}\n${shop}`;
      const group = groups.get(key) ?? { cache, shop, ids: new Set<string>() };
      ids.forEach((id) => group.ids.add(id));
      groups.set(key, group);
    };
    for (const message of messages) {
      for (const target of this.targetsOf(message, context)) {
        if (target.kind === 'entries') add(target.namespace, target.shop, target.ids);
        else if (target.kind === 'product-variants') {
          if (this.options.resolveProductVariants)
            add(
              'variants',
              target.shop,
              await this.options.resolveProductVariants(target.shop, target.productId),
            );
        } else if (this.options.resolveInventoryItem) {
          const shown = await this.options.resolveInventoryItem(
            target.shop,
            target.inventoryItemId,
          );
          add('products', target.shop, shown.productIds);
          add('variants', target.shop, shown.variantIds);
        }
      }
    }
    for (const { cache, shop, ids } of groups.values()) await cache.purge(shop, [...ids]);
    const now = this.now();
    for (const message of messages) {
      const at = Number(message.timestamp);
      if (Number.isFinite(at) && at > 0)
        this.options.metrics.purgeLagSeconds.observe(
          { topic: context.topic },
          Math.max(0, now - at) / 1000,
        );
    }
  }

  private targetsOf(message: KafkaMessage, context: ChunkContext): PurgeTarget[] {
    const decoded = decodeWebhookMessage(message);
    try {
      if (!decoded.ok) throw new Error(decoded.detail);
      return purgeTargets(decoded.value);
    } catch (error) {
      this.options.logger.warn(
        {
          topic: context.topic,
          partition: context.partition,
          offset: message.offset,
          err: String(error),
        },
        'not a webhook this cache can read; skipped',
      );
      return [];
    }
  }
}
