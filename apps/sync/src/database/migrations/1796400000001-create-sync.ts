import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sync schema: one row per accepted order to mirror to the ERP (recorded with the inbox row,
 * called afterwards), ERP jobs (redactions to forward), and a minimal catalog mirror.
 */
export class CreateSync1796400000001 implements MigrationInterface {
  name = 'CreateSync1796400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS sync`);
    await queryRunner.query(`
      CREATE TABLE sync.inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE sync.order_syncs (
        shop_domain text NOT NULL,
        order_id bigint NOT NULL,
        event_id text NOT NULL,
        customer_id bigint,
        email_hash text,
        payload jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'synced', 'failed', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        erp_status integer,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        synced_at timestamptz,
        redacted_at timestamptz,
        PRIMARY KEY (shop_domain, order_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX order_syncs_due ON sync.order_syncs (next_attempt_at)
       WHERE status IN ('pending', 'failed')`,
    );
    await queryRunner.query(
      `CREATE INDEX order_syncs_status ON sync.order_syncs (shop_domain, status, order_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE sync.erp_jobs (
        id bigserial PRIMARY KEY,
        shop_domain text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('redact')),
        customer_id bigint,
        webhook_id text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE sync.products (
        shop_domain text NOT NULL,
        id bigint NOT NULL,
        title text,
        handle text,
        status text,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz,
        last_webhook_id text NOT NULL,
        stale_updates_skipped integer NOT NULL DEFAULT 0,
        PRIMARY KEY (shop_domain, id)
      )`);
    await queryRunner.query(`
      CREATE TABLE sync.product_variants (
        shop_domain text NOT NULL,
        product_id bigint NOT NULL,
        id bigint NOT NULL,
        sku text,
        price numeric,
        inventory_item_id bigint,
        PRIMARY KEY (shop_domain, product_id, id),
        FOREIGN KEY (shop_domain, product_id) REFERENCES sync.products (shop_domain, id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE sync.shops (
        shop_domain text PRIMARY KEY,
        active boolean NOT NULL,
        uninstalled_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE sync.privacy_requests (
        id bigserial PRIMARY KEY,
        shop_domain text NOT NULL,
        kind text NOT NULL,
        customer_id bigint,
        webhook_id text NOT NULL,
        affected integer NOT NULL,
        export jsonb,
        completed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA IF EXISTS sync CASCADE`);
  }
}
