import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import type { ProductOrigin } from './product-origin';

/**
 * Reads of the catalog mirror for the catalog API. Postgres builds each product document as JSON
 * text itself, with every id cast to text, so nothing on the way passes through a JS number.
 */
@Injectable()
export class CatalogReadRepository implements ProductOrigin {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async load(shop: string, ids: string[]): Promise<Map<string, string | null>> {
    const rows: { id: string; doc: string }[] = await this.dataSource.query(
      `SELECT p.id::text AS id,
              json_build_object(
                'id', p.id::text,
                'title', p.title,
                'handle', p.handle,
                'status', p.status,
                'updated_at', p.updated_at,
                'variants', COALESCE((
                  SELECT json_agg(json_build_object(
                           'id', v.id::text,
                           'sku', v.sku,
                           'price', v.price::text,
                           'inventory_item_id', v.inventory_item_id::text) ORDER BY v.id)
                    FROM sync.product_variants v
                   WHERE v.shop_domain = p.shop_domain AND v.product_id = p.id), '[]'::json)
              )::text AS doc
         FROM sync.products p
        WHERE p.shop_domain = $1 AND p.id = ANY($2::bigint[]) AND p.deleted_at IS NULL`,
      [shop, ids],
    );
    return new Map(rows.map((row) => [row.id, row.doc]));
  }

  /**
   * Variant documents (`{id, product_id, sku, price, inventory_item_id}`, ids as text) of products
   * that are not deleted. A deleted product keeps its variant rows (see
   * `CatalogRepository.markDeleted`), so they are filtered here.
   */
  async loadVariants(shop: string, ids: string[]): Promise<Map<string, string | null>> {
    const rows: { id: string; doc: string }[] = await this.dataSource.query(
      `SELECT v.id::text AS id,
              json_build_object(
                'id', v.id::text,
                'product_id', v.product_id::text,
                'sku', v.sku,
                'price', v.price::text,
                'inventory_item_id', v.inventory_item_id::text
              )::text AS doc
         FROM sync.product_variants v
         JOIN sync.products p ON p.shop_domain = v.shop_domain AND p.id = v.product_id
        WHERE v.shop_domain = $1 AND v.id = ANY($2::bigint[]) AND p.deleted_at IS NULL`,
      [shop, ids],
    );
    return new Map(rows.map((row) => [row.id, row.doc]));
  }

  /** The variant ids the mirror holds for these products (a deleted product's included). */
  async variantIdsOf(shop: string, productIds: string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id::text AS id FROM sync.product_variants
        WHERE shop_domain = $1 AND product_id = ANY($2::bigint[])`,
      [shop, productIds],
    );
    return rows.map((row) => row.id);
  }

  /** Products and variants whose document shows this inventory item (its SKU, its id). */
  async showingInventoryItem(
    shop: string,
    inventoryItemId: string,
  ): Promise<{ productIds: string[]; variantIds: string[] }> {
    const rows: { product_id: string; id: string }[] = await this.dataSource.query(
      `SELECT product_id::text AS product_id, id::text AS id FROM sync.product_variants
        WHERE shop_domain = $1 AND inventory_item_id = $2::bigint`,
      [shop, inventoryItemId],
    );
    return {
      productIds: [...new Set(rows.map((r) => r.product_id))],
      variantIds: rows.map((r) => r.id),
    };
  }
}
