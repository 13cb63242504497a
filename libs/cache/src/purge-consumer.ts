import { Controller, Inject, type OnModuleInit } from '@nestjs/common';
import { decodeWebhookMessage, ShopifyKafkaTopic } from '@shopwire/contracts';
import {
  ChunkConsumerTransport,
  ConsumeChunks,
  type ChunkConsumerTuning,
  type ConsumerChunk,
} from '@shopwire/kafka';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { CacheAside } from './cache-aside';
import type { CacheMetrics } from './cache-metrics';
import type { CacheNamespace } from './namespaces';
import { purgeTargets, type PurgeTarget } from './webhook-purge';

/** The purge consumer's logical group (its metrics label); the id is the service's own. */
export const CACHE_PURGE_GROUP = 'cache-purge';

/** The topics whose webhooks purge something (shop/update travels on the compliance topic). */
export const CACHE_PURGE_TOPICS: readonly string[] = [
  ShopifyKafkaTopic.Products,
  ShopifyKafkaTopic.Inventory,
  ShopifyKafkaTopic.Compliance,
];

/** Injection token of the app's `CachePurger`, which `CachePurgeConsumer` runs. */
export const CACHE_PURGER = Symbol('CACHE_PURGER');

export interface CachePurgerOptions {
  /**
   * Its own consumer group id: the cache lives in Redis, shared by every replica, so one purge per
   * webhook is enough — but it must not share a group (and offsets) with the service's consumer.
   */
  groupId: string;
  /** Default `CACHE_PURGE_TOPICS` (tests use a topic of their own). */
  topics?: readonly string[];
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
 * Purges cache entries from webhooks on Kafka; `CachePurgeConsumer` runs it on the service's
 * consumer transport. A purge that cannot reach Redis throws, so the chunk is retried in place
 * (with backoff) until Redis is back: a purge is never lost, and the offset is committed only
 * after it happened. A message that is not a webhook envelope or not JSON is counted as rejected
 * and skipped (no retry could fix it, and nothing in it is worth a dead letter).
 */
export class CachePurger {
  private readonly now: () => number;

  constructor(private readonly options: CachePurgerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Its settings on the transport. */
  get tuning(): ChunkConsumerTuning {
    return {
      groupId: this.options.groupId,
      topics: this.options.topics ?? CACHE_PURGE_TOPICS,
      // Purging is idempotent and cheap: chunks are handled as they come, partitions in parallel.
      partitionsConcurrently: 6,
      maxChunk: 500,
      retryBaseMs: 100,
      retryCapMs: 5000,
      // A new group has nothing stale to purge from before it existed; start at the end.
      fromBeginning: false,
      // What fails is Redis, an outage retried in place; an unreadable message is only counted.
      deadLetters: false,
    };
  }

  async handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
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
      for (const target of this.targetsOf(message, chunk)) {
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
          { topic: chunk.topic },
          Math.max(0, now - at) / 1000,
        );
    }
  }

  private targetsOf(message: KafkaMessage, chunk: ConsumerChunk): PurgeTarget[] {
    const decoded = decodeWebhookMessage(message);
    const reject = (reason: string, detail: string): PurgeTarget[] => {
      chunk.rejected(message, reason, detail);
      this.options.logger.warn(
        { topic: chunk.topic, partition: chunk.partition, offset: message.offset, reason, detail },
        'not a webhook this cache can read; skipped',
      );
      return [];
    };
    if (!decoded.ok) return reject(decoded.reason, decoded.detail);
    try {
      return purgeTargets(decoded.value);
    } catch (error) {
      return reject('payload', String(error));
    }
  }
}

/**
 * The purge consumer: a `@ConsumeChunks` handler on the service's consumer transport (group
 * `cache-purge`, its id and topics from the app's `CachePurger`). A module declares it as a
 * controller and provides `CACHE_PURGER`; the service's `startConsumers(app)` starts it with its
 * other consumers, and it stops with them, before `onApplicationShutdown` — where the app closes
 * the purger's Redis connection.
 */
@Controller()
export class CachePurgeConsumer implements OnModuleInit {
  constructor(
    @Inject(CACHE_PURGER) private readonly purger: CachePurger,
    private readonly transport: ChunkConsumerTransport,
  ) {}

  /** Before `startConsumers`: the group id and topics are the app's. */
  onModuleInit(): void {
    this.transport.configureGroup(CACHE_PURGE_GROUP, this.purger.tuning);
  }

  @ConsumeChunks({ group: CACHE_PURGE_GROUP, topics: CACHE_PURGE_TOPICS })
  handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    return this.purger.handleChunk(messages, chunk);
  }
}
