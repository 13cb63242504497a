import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ProductState } from '../orders/sync-events';

/**
 * The minimal catalog mirror (issue 4's cache reads from it): a product and its variants as the
 * newest webhook describes them. An update older than the stored one loses and is counted.
 */
@Injectable()
export class CatalogRepository {
  async upsertUnlessStale(
    manager: EntityManager,
    shopDomain: string,
    product: ProductState,
    webhookId: string,
  ): Promise<'applied' | 'stale'> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO sync.products (shop_domain, id, title, handle, status, updated_at, last_webhook_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (shop_domain, id) DO UPDATE
         SET title = EXCLUDED.title, handle = EXCLUDED.handle, status = EXCLUDED.status,
             updated_at = EXCLUDED.updated_at, last_webhook_id = EXCLUDED.last_webhook_id
       WHERE sync.products.updated_at < EXCLUDED.updated_at AND sync.products.deleted_at IS NULL
       RETURNING id`,
      [
        shopDomain,
        product.id,
        product.title,
        product.handle,
        product.status,
        product.updatedAt,
        webhookId,
      ],
    );
    if (rows.length === 0) {
      await manager.query(
        `UPDATE sync.products SET stale_updates_skipped = stale_updates_skipped + 1
          WHERE shop_domain = $1 AND id = $2`,
        [shopDomain, product.id],
      );
      return 'stale';
    }
    await manager.query(
      'DELETE FROM sync.product_variants WHERE shop_domain = $1 AND product_id = $2',
      [shopDomain, product.id],
    );
    if (product.variants.length > 0) {
      await manager.query(
        `INSERT INTO sync.product_variants (shop_domain, product_id, id, sku, price, inventory_item_id)
         SELECT $1, $2, v.id, v.sku, v.price, v.item
           FROM unnest($3::bigint[], $4::text[], $5::numeric[], $6::bigint[]) AS v(id, sku, price, item)
         ON CONFLICT DO NOTHING`,
        [
          shopDomain,
          product.id,
          product.variants.map((v) => v.id),
          product.variants.map((v) => v.sku),
          product.variants.map((v) => v.price),
          product.variants.map((v) => v.inventoryItemId),
        ],
      );
    }
    return 'applied';
  }

  /**
   * products/delete: a tombstone, so a late create/update cannot bring the product back. The
   * variant rows stay (reads skip a deleted product's variants): Shopify's delete payload names no
   * variant, and the cache needs them to purge the deleted product's variant entries.
   */
  async markDeleted(
    manager: EntityManager,
    shopDomain: string,
    productId: string,
    at: string,
    webhookId: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO sync.products (shop_domain, id, updated_at, deleted_at, last_webhook_id, status)
       VALUES ($1, $2, $3, $3, $4, 'deleted')
       ON CONFLICT (shop_domain, id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at, status = 'deleted',
         last_webhook_id = EXCLUDED.last_webhook_id`,
      [shopDomain, productId, at, webhookId],
    );
  }
}
