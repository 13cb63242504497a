import { outboxTableSql } from '@shopwire/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 3: the order's customer, the bookkeeping that decides which domain event a change emits,
 * the transactional outbox, and the privacy tables (requests, exports, shops).
 *
 * `version_webhook_id` / `cancelled_webhook_id` name the webhook that moved the order to its
 * current `updated_at` and the one that first stored it cancelled. The upsert's RETURNING sees
 * only the new row, so "did this webhook advance / cancel the order?" is answered by comparing
 * them with `last_webhook_id`.
 */
export class OrderCustomersOutboxPrivacy1795900000000 implements MigrationInterface {
  name = 'OrderCustomersOutboxPrivacy1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE orders.orders
        ADD COLUMN customer_id bigint,
        ADD COLUMN customer_email text,
        ADD COLUMN customer_first_name text,
        ADD COLUMN customer_last_name text,
        ADD COLUMN customer_phone text,
        ADD COLUMN version_webhook_id text,
        ADD COLUMN cancelled_webhook_id text`);
    // Rows from before this migration: their current version came from their last webhook, and
    // a stored cancellation counts as already announced.
    await queryRunner.query(`
      UPDATE orders.orders SET version_webhook_id = last_webhook_id,
        cancelled_webhook_id = CASE WHEN cancelled_at IS NOT NULL THEN last_webhook_id END`);
    await queryRunner.query(
      `CREATE INDEX orders_customer_idx ON orders.orders (shop_domain, customer_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX orders_created_at_idx ON orders.orders (shop_domain, created_at)`,
    );
    for (const sql of outboxTableSql('orders').up) await queryRunner.query(sql);
    // What was asked and done, never the personal data itself.
    await queryRunner.query(`
      CREATE TABLE orders.privacy_requests (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        shop_domain text NOT NULL,
        shop_id text,
        customer_id text,
        data_request_id text,
        webhook_id text NOT NULL UNIQUE,
        received_at timestamptz NOT NULL,
        completed_at timestamptz NOT NULL DEFAULT now(),
        rows_affected integer NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX privacy_requests_shop_idx ON orders.privacy_requests (shop_domain, customer_id)`,
    );
    // Exports hold the customer's data by design; customers/redact and shop/redact delete them.
    await queryRunner.query(`
      CREATE TABLE orders.privacy_exports (
        id uuid PRIMARY KEY,
        shop_domain text NOT NULL,
        customer_id text,
        data_request_id text,
        webhook_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        order_count integer NOT NULL,
        export jsonb NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX privacy_exports_shop_idx ON orders.privacy_exports (shop_domain, customer_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE orders.shops (
        shop_domain text PRIMARY KEY,
        shop_id text,
        active boolean NOT NULL,
        uninstalled_at timestamptz,
        redacted_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE orders.shops`);
    await queryRunner.query(`DROP TABLE orders.privacy_exports`);
    await queryRunner.query(`DROP TABLE orders.privacy_requests`);
    for (const sql of outboxTableSql('orders').down) await queryRunner.query(sql);
    await queryRunner.query(`DROP INDEX orders.orders_created_at_idx`);
    await queryRunner.query(`DROP INDEX orders.orders_customer_idx`);
    await queryRunner.query(`
      ALTER TABLE orders.orders
        DROP COLUMN customer_id, DROP COLUMN customer_email, DROP COLUMN customer_first_name,
        DROP COLUMN customer_last_name, DROP COLUMN customer_phone,
        DROP COLUMN version_webhook_id, DROP COLUMN cancelled_webhook_id`);
  }
}
