import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The orders schema. Frozen once released: later changes are new migrations. IDs are bigint (pg
 * returns them as exact strings) and money is numeric without a scale, so Shopify's decimal
 * strings round-trip unchanged.
 */
export class CreateOrders1795748394149 implements MigrationInterface {
  name = 'CreateOrders1795748394149';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS orders`);
    await queryRunner.query(`
      CREATE TABLE orders.orders (
        shop_domain text NOT NULL,
        id bigint NOT NULL,
        admin_graphql_api_id text,
        name text,
        order_number bigint,
        email text,
        currency text,
        financial_status text,
        fulfillment_status text,
        total_price numeric,
        subtotal_price numeric,
        total_tax numeric,
        total_discounts numeric,
        cancelled_at timestamptz,
        cancel_reason text,
        created_at timestamptz,
        updated_at timestamptz NOT NULL,
        last_webhook_id text NOT NULL,
        last_shopify_topic text NOT NULL,
        received_at timestamptz NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        stale_updates_skipped integer NOT NULL DEFAULT 0,
        PRIMARY KEY (shop_domain, id)
      )`);
    await queryRunner.query(`
      CREATE TABLE orders.order_line_items (
        shop_domain text NOT NULL,
        order_id bigint NOT NULL,
        id bigint NOT NULL,
        position integer NOT NULL,
        product_id bigint,
        variant_id bigint,
        sku text,
        title text,
        quantity integer NOT NULL,
        price numeric,
        PRIMARY KEY (shop_domain, order_id, id),
        FOREIGN KEY (shop_domain, order_id) REFERENCES orders.orders (shop_domain, id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE orders.inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    // For pruning old inbox rows once Shopify can no longer redeliver them.
    await queryRunner.query(`CREATE INDEX inbox_processed_at_idx ON orders.inbox (processed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE orders.inbox`);
    await queryRunner.query(`DROP TABLE orders.order_line_items`);
    await queryRunner.query(`DROP TABLE orders.orders`);
  }
}
