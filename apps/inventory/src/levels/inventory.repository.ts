import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import type { CommitmentState, ReservedLine } from './commitment';
import { isBigintId, LockClass, type LockKey } from './inventory.locks';
import type {
  InventoryItemUpdate as ItemUpdate,
  InventoryLevelUpdate as LevelUpdate,
} from '@shopwire/contracts';

/** A level with what is committed against it, as evaluated and as served. */
export interface LevelRow {
  inventory_item_id: string;
  location_id: string;
  sku: string | null;
  available: number;
  committed: number;
  low: boolean;
  updated_at: Date;
  stale_updates_skipped: number;
}

const LEVEL_COLUMNS = `
  l.inventory_item_id, l.location_id, i.sku, l.available, coalesce(c.committed, 0) AS committed,
  l.low, l.updated_at, l.stale_updates_skipped`;
const LEVEL_JOINS = `
  FROM inventory.levels l
  LEFT JOIN inventory.items i
    ON i.shop_domain = l.shop_domain AND i.inventory_item_id = l.inventory_item_id
  LEFT JOIN inventory.sku_commitments c ON c.shop_domain = l.shop_domain AND c.sku = i.sku`;

/** Inventory in Postgres. Every statement is scoped by shop: an id alone identifies nothing. */
@Injectable()
export class InventoryRepository {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * Takes `keys` — and the SKU key of every item of `mappedItems` as `inventory.items` maps it
   * now — in one statement, in the total order of `inventory.locks.ts` (class, then hash), held
   * until the transaction ends. Returns the keys taken (their text), for the check after it.
   */
  async lockKeys(
    manager: EntityManager,
    keys: LockKey[],
    mappedItems: { shop: string; itemId: string }[] = [],
  ): Promise<Set<string>> {
    const lookup = mappedItems.filter((item) => isBigintId(item.itemId));
    if (keys.length === 0 && lookup.length === 0) return new Set();
    const rows: { key: string }[] = await manager.query(
      `WITH wanted AS (
         SELECT c, key FROM unnest($1::int[], $2::text[]) AS t(c, key)
         UNION
         SELECT ${LockClass.sku}, 'sku:' || i.shop_domain || ':' || i.sku
         FROM unnest($3::text[], $4::bigint[]) AS q(shop, item)
         JOIN inventory.items i ON i.shop_domain = q.shop AND i.inventory_item_id = q.item
         WHERE i.sku IS NOT NULL
       )
       SELECT key, pg_advisory_xact_lock(k) FROM (
         SELECT c, key, hashtextextended('shopwire:inventory:' || key, 0) AS k FROM wanted
         ORDER BY c, k, key) AS ordered`,
      [
        keys.map((k) => k.cls),
        keys.map((k) => k.key),
        lookup.map((item) => item.shop),
        lookup.map((item) => item.itemId),
      ],
    );
    return new Set(rows.map((row) => row.key));
  }

  /** The SKU each of `items` maps to now (items without a row, or without a SKU, are left out). */
  async itemSkus(
    manager: EntityManager,
    items: { shop: string; itemId: string }[],
  ): Promise<{ shop: string; itemId: string; sku: string }[]> {
    const lookup = items.filter((item) => isBigintId(item.itemId));
    if (lookup.length === 0) return [];
    const rows: { shop_domain: string; inventory_item_id: string; sku: string }[] =
      await manager.query(
        `SELECT i.shop_domain, i.inventory_item_id, i.sku
         FROM unnest($1::text[], $2::bigint[]) AS q(shop, item)
         JOIN inventory.items i ON i.shop_domain = q.shop AND i.inventory_item_id = q.item
         WHERE i.sku IS NOT NULL`,
        [lookup.map((item) => item.shop), lookup.map((item) => item.itemId)],
      );
    return rows.map((row) => ({
      shop: row.shop_domain,
      itemId: row.inventory_item_id,
      sku: row.sku,
    }));
  }

  /**
   * Records shops not seen before, in sorted order (two chunks inserting the same new shops wait
   * for each other in one order). A shop already there is only read, never locked.
   */
  async ensureShops(manager: EntityManager, shops: string[]): Promise<void> {
    await manager.query(
      `INSERT INTO inventory.shops (shop_domain)
       SELECT s FROM unnest($1::text[]) AS s
       WHERE NOT EXISTS (SELECT 1 FROM inventory.shops x WHERE x.shop_domain = s)
       ORDER BY s
       ON CONFLICT (shop_domain) DO NOTHING`,
      [[...new Set(shops)].sort()],
    );
  }

  /** Applies the level unless the stored one is newer (equal `updated_at` re-applies: no-op). */
  async upsertLevel(
    manager: EntityManager,
    shop: string,
    level: LevelUpdate,
    webhookId: string,
  ): Promise<'applied' | 'stale'> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO inventory.levels AS l
         (shop_domain, inventory_item_id, location_id, available, updated_at, last_webhook_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (shop_domain, inventory_item_id, location_id) DO UPDATE SET
         available = EXCLUDED.available, updated_at = EXCLUDED.updated_at,
         last_webhook_id = EXCLUDED.last_webhook_id, applied_at = now()
       WHERE l.updated_at <= EXCLUDED.updated_at
       RETURNING 1`,
      [shop, level.inventoryItemId, level.locationId, level.available, level.updatedAt, webhookId],
    );
    if (rows.length === 1) return 'applied';
    await manager.query(
      `UPDATE inventory.levels SET stale_updates_skipped = stale_updates_skipped + 1
       WHERE shop_domain = $1 AND inventory_item_id = $2 AND location_id = $3`,
      [shop, level.inventoryItemId, level.locationId],
    );
    return 'stale';
  }

  async upsertItem(
    manager: EntityManager,
    shop: string,
    item: ItemUpdate,
  ): Promise<'applied' | 'stale'> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO inventory.items AS i (shop_domain, inventory_item_id, sku, updated_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (shop_domain, inventory_item_id) DO UPDATE SET
         sku = EXCLUDED.sku, updated_at = EXCLUDED.updated_at
       WHERE i.updated_at <= EXCLUDED.updated_at
       RETURNING 1`,
      [shop, item.inventoryItemId, item.sku, item.updatedAt],
    );
    return rows.length === 1 ? 'applied' : 'stale';
  }

  async loadCommitment(
    manager: EntityManager,
    shop: string,
    orderId: string,
  ): Promise<CommitmentState | null> {
    const rows: {
      accepted: boolean;
      cancelled: boolean;
      reserved_lines: ReservedLine[];
      last_version: Date | null;
    }[] = await manager.query(
      `SELECT accepted, cancelled, reserved_lines, last_version FROM inventory.order_commitments
       WHERE shop_domain = $1 AND order_id = $2`,
      [shop, orderId],
    );
    if (rows.length === 0) return null;
    const [row] = rows;
    return {
      accepted: row.accepted,
      cancelled: row.cancelled,
      reserved: row.reserved_lines,
      lastVersion: row.last_version?.toISOString() ?? null,
    };
  }

  async saveCommitment(
    manager: EntityManager,
    shop: string,
    orderId: string,
    state: CommitmentState,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO inventory.order_commitments
         (shop_domain, order_id, accepted, cancelled, reserved_lines, last_version, changed_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, now())
       ON CONFLICT (shop_domain, order_id) DO UPDATE SET
         accepted = EXCLUDED.accepted, cancelled = EXCLUDED.cancelled,
         reserved_lines = EXCLUDED.reserved_lines, last_version = EXCLUDED.last_version,
         changed_at = now()`,
      [
        shop,
        orderId,
        state.accepted,
        state.cancelled,
        JSON.stringify(state.reserved),
        state.lastVersion,
      ],
    );
  }

  async addSkuCommitments(
    manager: EntityManager,
    shop: string,
    deltas: Map<string, number>,
  ): Promise<void> {
    if (deltas.size === 0) return;
    const skus = [...deltas.keys()].sort(); // sorted: row locks in one order across transactions
    await manager.query(
      `INSERT INTO inventory.sku_commitments AS c (shop_domain, sku, committed)
       SELECT $1, d.sku, d.delta FROM unnest($2::text[], $3::int[]) AS d(sku, delta)
       ON CONFLICT (shop_domain, sku) DO UPDATE SET committed = c.committed + EXCLUDED.committed`,
      [shop, skus, skus.map((sku) => deltas.get(sku))],
    );
  }

  /** The levels of every item whose SKU is one of `skus`: those an order's commitment changes. */
  levelsOfSkus(manager: EntityManager, shop: string, skus: string[]): Promise<LevelRow[]> {
    return manager.query(
      `SELECT ${LEVEL_COLUMNS} ${LEVEL_JOINS}
       WHERE l.shop_domain = $1 AND i.sku = ANY($2::text[])
       ORDER BY l.inventory_item_id, l.location_id`,
      [shop, skus],
    );
  }

  levelsOfItems(manager: EntityManager, shop: string, itemIds: string[]): Promise<LevelRow[]> {
    return manager.query(
      `SELECT ${LEVEL_COLUMNS} ${LEVEL_JOINS}
       WHERE l.shop_domain = $1 AND l.inventory_item_id = ANY($2::bigint[])
       ORDER BY l.inventory_item_id, l.location_id`,
      [shop, itemIds],
    );
  }

  async setLow(
    manager: EntityManager,
    shop: string,
    row: Pick<LevelRow, 'inventory_item_id' | 'location_id'>,
    low: boolean,
  ): Promise<void> {
    await manager.query(
      `UPDATE inventory.levels SET low = $4
       WHERE shop_domain = $1 AND inventory_item_id = $2 AND location_id = $3`,
      [shop, row.inventory_item_id, row.location_id, low],
    );
  }

  async recordPrivacyRequest(
    manager: EntityManager,
    shop: string,
    webhookId: string,
    shopifyTopic: string,
    outcome: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO inventory.privacy_requests (webhook_id, shop_domain, shopify_topic, outcome)
       VALUES ($1, $2, $3, $4) ON CONFLICT (webhook_id) DO NOTHING`,
      [webhookId, shop, shopifyTopic, outcome],
    );
  }

  async markShopUninstalled(manager: EntityManager, shop: string): Promise<void> {
    await manager.query(
      `INSERT INTO inventory.shops (shop_domain, active, uninstalled_at) VALUES ($1, false, now())
       ON CONFLICT (shop_domain) DO UPDATE SET active = false, uninstalled_at = now()`,
      [shop],
    );
  }

  levelsByItem(shop: string, itemId: string): Promise<LevelRow[]> {
    return this.dataSource.query(
      `SELECT ${LEVEL_COLUMNS} ${LEVEL_JOINS}
       WHERE l.shop_domain = $1 AND l.inventory_item_id = $2 ORDER BY l.location_id`,
      [shop, itemId],
    );
  }

  levelsBySku(shop: string, sku: string): Promise<LevelRow[]> {
    return this.dataSource.query(
      `SELECT ${LEVEL_COLUMNS} ${LEVEL_JOINS}
       WHERE l.shop_domain = $1 AND i.sku = $2 ORDER BY l.inventory_item_id, l.location_id`,
      [shop, sku],
    );
  }

  /** A page of a location's levels by ascending inventory item id, after `afterItemId`. */
  levelsByLocation(
    shop: string,
    locationId: string,
    afterItemId: string | null,
    limit: number,
  ): Promise<LevelRow[]> {
    return this.dataSource.query(
      `SELECT ${LEVEL_COLUMNS} ${LEVEL_JOINS}
       WHERE l.shop_domain = $1 AND l.location_id = $2
         AND ($3::bigint IS NULL OR l.inventory_item_id > $3::bigint)
       ORDER BY l.inventory_item_id LIMIT $4`,
      [shop, locationId, afterItemId, limit],
    );
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
