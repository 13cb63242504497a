import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification schema. `notifications` holds one intent per (event, template): recorded in
 * the consumer's transaction with the inbox row, sent afterwards by the sender loop. Recipients
 * are kept in clear only while they are needed (to send, and for a data request) and as a
 * SHA-256 hash so customers/redact can find them by email.
 */
export class CreateNotification1796400000000 implements MigrationInterface {
  name = 'CreateNotification1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS notification`);
    await queryRunner.query(`
      CREATE TABLE notification.inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE notification.notifications (
        id bigserial PRIMARY KEY,
        shop_domain text NOT NULL,
        event_id text NOT NULL,
        template text NOT NULL,
        order_id bigint,
        customer_id bigint,
        recipient text,
        recipient_hash text,
        recipient_name text,
        variables jsonb,
        message_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        redacted_at timestamptz,
        UNIQUE (event_id, template)
      )`);
    await queryRunner.query(
      `CREATE INDEX notifications_due ON notification.notifications (next_attempt_at)
       WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX notifications_shop ON notification.notifications (shop_domain, id)`,
    );
    await queryRunner.query(
      `CREATE INDEX notifications_order ON notification.notifications (shop_domain, order_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE notification.shops (
        shop_domain text PRIMARY KEY,
        active boolean NOT NULL,
        uninstalled_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE notification.privacy_requests (
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
    await queryRunner.query(`DROP SCHEMA IF EXISTS notification CASCADE`);
  }
}
