import { outboxTableSql } from '@shopwire/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inventory schema. Frozen once released: later changes are new migrations. IDs are bigint
 * (pg returns them as exact strings); quantities are integers, as Shopify's are.
 */
export class CreateInventory1795900000000 implements MigrationInterface {
  name = 'CreateInventory1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS inventory`);
    // One row per (shop, inventory item, location), as inventory_levels/update describes it.
    // `low` remembers whether the last evaluation found it below the threshold, so a low-stock
    // event goes out once per crossing and is re-armed only when the level recovers.
    await queryRunner.query(`
      CREATE TABLE inventory.levels (
        shop_domain text NOT NULL,
        inventory_item_id bigint NOT NULL,
        location_id bigint NOT NULL,
        available integer NOT NULL,
        updated_at timestamptz NOT NULL,
        last_webhook_id text NOT NULL,
        stale_updates_skipped integer NOT NULL DEFAULT 0,
        low boolean NOT NULL DEFAULT false,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (shop_domain, inventory_item_id, location_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX levels_location_idx ON inventory.levels (shop_domain, location_id, inventory_item_id)`,
    );
    // What inventory_items/create|update told us about an item: its SKU joins levels to orders.
    await queryRunner.query(`
      CREATE TABLE inventory.items (
        shop_domain text NOT NULL,
        inventory_item_id bigint NOT NULL,
        sku text,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (shop_domain, inventory_item_id)
      )`);
    await queryRunner.query(`CREATE INDEX items_sku_idx ON inventory.items (shop_domain, sku)`);
    // Per order, what it currently holds: accepted/cancelled seen, the lines reserved. Makes the
    // commitment independent of the order and number of accepted/cancelled deliveries.
    await queryRunner.query(`
      CREATE TABLE inventory.order_commitments (
        shop_domain text NOT NULL,
        order_id bigint NOT NULL,
        accepted boolean NOT NULL DEFAULT false,
        cancelled boolean NOT NULL DEFAULT false,
        reserved_lines jsonb NOT NULL DEFAULT '[]',
        last_version timestamptz,
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (shop_domain, order_id)
      )`);
    // The sum of reserved quantities per SKU, maintained by the deltas of order_commitments.
    await queryRunner.query(`
      CREATE TABLE inventory.sku_commitments (
        shop_domain text NOT NULL,
        sku text NOT NULL,
        committed integer NOT NULL DEFAULT 0,
        PRIMARY KEY (shop_domain, sku)
      )`);
    await queryRunner.query(`
      CREATE TABLE inventory.shops (
        shop_domain text PRIMARY KEY,
        active boolean NOT NULL DEFAULT true,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        uninstalled_at timestamptz
      )`);
    // Compliance requests and what was done about them. No customer identifiers: inventory
    // holds no personal data, so the record says so and nothing more.
    await queryRunner.query(`
      CREATE TABLE inventory.privacy_requests (
        webhook_id text PRIMARY KEY,
        shop_domain text NOT NULL,
        shopify_topic text NOT NULL,
        outcome text NOT NULL,
        completed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE inventory.inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX inbox_processed_at_idx ON inventory.inbox (processed_at)`,
    );
    for (const statement of outboxTableSql('inventory').up) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of outboxTableSql('inventory').down) await queryRunner.query(statement);
    for (const table of [
      'inbox',
      'privacy_requests',
      'shops',
      'sku_commitments',
      'order_commitments',
      'items',
      'levels',
    ]) {
      await queryRunner.query(`DROP TABLE inventory.${table}`);
    }
  }
}
