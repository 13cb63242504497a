import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { z } from '@shopwire/config';
import {
  JobFailedError,
  type JobCompletion,
  type JobContext,
  type JobHandler,
} from '@shopwire/jobs';
import { briefError } from '@shopwire/kafka';
import {
  BulkOperations,
  isShopifyAdminError,
  reassembleBulkLines,
  type BulkOperationInfo,
  type BulkRecord,
} from '@shopwire/shopify-admin';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import { CatalogCache } from '../catalog/catalog-cache';
import { CatalogRepository } from '../catalog/catalog.repository';
import type { SyncConfig } from '../config';
import { adminCall, requireAdminAccess } from './admin-call';
import { PRODUCTS_BULK_QUERY, productStateOf } from './bulk-product';
import { shopDomain } from './job-params';
import { SyncAdminClient } from '../admin-api/sync-admin-client';

export const productImportParams = z
  .object({
    shop: shopDomain,
    /** Products upserted per step (one transaction, one checkpoint). */
    batch_size: z.number().int().min(1).max(1000).default(200),
  })
  .strict();

export type ProductImportParams = z.infer<typeof productImportParams>;

/**
 * Where a resumed import continues: the bulk operation (its result file is read again) and how
 * many products of it are committed. `operationId` null: none started yet.
 */
export interface ProductImportCheckpoint {
  operationId: string | null;
  products: number;
  objects: number;
  applied: number;
  unchanged: number;
  totalObjects: number | null;
}

/**
 * `product-import`: the shop's whole catalog (products and variants) through one bulk operation,
 * streamed from its JSONL and upserted into the catalog mirror by the same stale-guarded upsert
 * the products webhooks use — a product the mirror already holds at the same or a newer
 * `updated_at` is left alone, so an import racing webhooks never moves a product back, and a
 * re-run changes nothing. After each committed batch the batch's cache entries are purged and,
 * when the mirror is the cache's origin, read again through the cache (warming it).
 *
 * Resumption: the started operation's id is checkpointed before waiting for it; a resumed job
 * waits for that operation again and re-reads its file, skipping the products already committed.
 * An operation that is gone (expired, failed) starts a new one from the first product — the
 * upserts are idempotent.
 */
@Injectable()
export class ProductImportJob
  implements JobHandler<ProductImportParams, ProductImportCheckpoint>, OnModuleDestroy
{
  readonly type = 'product-import';
  readonly params = productImportParams;
  private readonly bulk: BulkOperations;

  constructor(
    private readonly admin: SyncAdminClient,
    private readonly catalog: CatalogRepository,
    private readonly cache: CatalogCache,
    @Inject(SERVICE_CONFIG) private readonly config: SyncConfig,
  ) {
    this.bulk = new BulkOperations(admin.client);
  }

  async onModuleDestroy(): Promise<void> {
    await this.bulk.close();
  }

  async run(
    context: JobContext<ProductImportParams, ProductImportCheckpoint>,
  ): Promise<JobCompletion> {
    const { shop, batch_size: batchSize } = context.params;
    await requireAdminAccess(this.admin, shop);
    let state: ProductImportCheckpoint = context.checkpoint ?? {
      operationId: null,
      products: 0,
      objects: 0,
      applied: 0,
      unchanged: 0,
      totalObjects: null,
    };
    let operation = state.operationId
      ? await this.finishedOrNull(shop, state.operationId, context.signal)
      : null;
    if (operation?.status !== 'COMPLETED') {
      await context.pace();
      const started = await adminCall(
        () => this.bulk.start(shop, PRODUCTS_BULK_QUERY, 'reporting'),
        { signal: context.signal },
      );
      const fresh: ProductImportCheckpoint = {
        operationId: started.id,
        products: 0,
        objects: 0,
        applied: state.applied,
        unchanged: state.unchanged,
        totalObjects: null,
      };
      await context.step(() => Promise.resolve({ checkpoint: fresh, processed: 0 }));
      state = context.checkpoint ?? fresh;
      operation = await adminCall(
        () => this.bulk.waitForCompletion(shop, started.id, { priority: 'reporting' }),
        { signal: context.signal },
      );
      if (operation.status !== 'COMPLETED')
        throw new JobFailedError(
          `bulk operation ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ''}`,
        );
    }
    const totalObjects = operation.objectCount === null ? null : Number(operation.objectCount);
    if (operation.url) {
      let index = 0;
      let batch: BulkRecord[] = [];
      const records = reassembleBulkLines(this.bulk.lines(operation.url));
      for await (const record of records) {
        if (context.isCancelled()) break;
        if (index++ < state.products) continue; // committed by an earlier attempt
        batch.push(record);
        if (batch.length >= batchSize) {
          state = await this.commit(context, shop, state, batch, totalObjects);
          batch = [];
        }
      }
      if (batch.length > 0) state = await this.commit(context, shop, state, batch, totalObjects);
    }
    const summary = {
      products: state.products,
      objects: state.objects,
      applied: state.applied,
      unchanged: state.unchanged,
      bulk_operation: state.operationId,
    };
    return {
      contentType: 'application/json',
      summary,
      tail: JSON.stringify({ shop, ...summary }),
    };
  }

  private async commit(
    context: JobContext<ProductImportParams, ProductImportCheckpoint>,
    shop: string,
    state: ProductImportCheckpoint,
    batch: BulkRecord[],
    totalObjects: number | null,
  ): Promise<ProductImportCheckpoint> {
    const products = batch.map(productStateOf);
    const objects = batch.reduce((n, record) => n + 1 + record.children.length, 0);
    const webhookId = `import-${state.operationId ?? 'none'}`;
    let applied = 0;
    await context.step(async ({ manager }) => {
      applied = 0;
      for (const product of products)
        if ((await this.catalog.upsertUnlessStale(manager, shop, product, webhookId)) === 'applied')
          applied++;
      const checkpoint: ProductImportCheckpoint = {
        ...state,
        products: state.products + products.length,
        objects: state.objects + objects,
        applied: state.applied + applied,
        unchanged: state.unchanged + products.length - applied,
        totalObjects,
      };
      return {
        checkpoint,
        processed: checkpoint.objects,
        total: totalObjects === null ? undefined : Math.max(totalObjects, checkpoint.objects),
      };
    });
    await this.refreshCache(
      context,
      shop,
      products.map((p) => p.id),
    );
    return context.checkpoint!;
  }

  /**
   * After the batch committed (never before: a read in between would cache the old row): purge
   * its products and their variants, then — when the mirror is the origin — read them through the cache so the next
   * reader hits. Best effort: the purge consumer and the TTL bound what a failure leaves behind.
   */
  private async refreshCache(
    context: JobContext<ProductImportParams, ProductImportCheckpoint>,
    shop: string,
    ids: string[],
  ): Promise<void> {
    try {
      await this.cache.purgeMirrored(shop, ids);
      if (this.config.CATALOG_ORIGIN === 'mirror') await this.cache.products.getMany(shop, ids);
    } catch (error) {
      context.logger.warn(
        { err: briefError(error), shop },
        'catalog cache refresh after import failed',
      );
    }
  }

  private async finishedOrNull(
    shop: string,
    id: string,
    signal: AbortSignal,
  ): Promise<BulkOperationInfo | null> {
    try {
      return await adminCall(
        () => this.bulk.waitForCompletion(shop, id, { priority: 'reporting' }),
        { signal },
      );
    } catch (error) {
      // Gone (the shop forgot it): start again. Anything else is not ours to swallow.
      if (isShopifyAdminError(error) && error.code === 'BULK') return null;
      throw error;
    }
  }
}
