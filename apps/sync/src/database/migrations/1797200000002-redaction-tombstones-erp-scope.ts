import { tombstoneTableSql } from '@shopwire/privacy';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: redaction tombstones (`@shopwire/privacy`), and an explicit scope on ERP redactions.
 * The old contract sent `customerId: null` for both shop/redact and a guest customers/redact, and
 * the ERP read that as "the whole shop". A job now says `scope` ('customer' | 'shop') and, for a
 * customer, the orders it covers.
 */
export class RedactionTombstonesErpScope1797200000002 implements MigrationInterface {
  name = 'RedactionTombstonesErpScope1797200000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of tombstoneTableSql('sync').up) await queryRunner.query(sql);
    await queryRunner.query(`
      ALTER TABLE sync.erp_jobs
        ADD COLUMN scope text,
        ADD COLUMN order_ids text[] NOT NULL DEFAULT '{}'`);
    // Existing jobs: the request that queued each says what it was.
    await queryRunner.query(`
      UPDATE sync.erp_jobs j SET scope = CASE
          WHEN EXISTS (SELECT 1 FROM sync.privacy_requests p
                        WHERE p.webhook_id = j.webhook_id AND p.kind = 'shop/redact') THEN 'shop'
          ELSE 'customer' END`);
    // A guest redact queued under the old contract names nobody the ERP can match: never sent as
    // shop-wide, it is closed with the reason.
    await queryRunner.query(`
      UPDATE sync.erp_jobs SET status = 'failed',
             last_error = 'guest redact queued without orders under the old ERP contract'
        WHERE status = 'pending' AND scope = 'customer' AND customer_id IS NULL`);
    await queryRunner.query(`ALTER TABLE sync.erp_jobs ALTER COLUMN scope SET NOT NULL`);
    await queryRunner.query(`
      ALTER TABLE sync.erp_jobs
        ADD CONSTRAINT erp_jobs_scope_check CHECK (scope IN ('customer', 'shop')),
        ADD CONSTRAINT erp_jobs_customer_named CHECK (
          scope = 'shop' OR status <> 'pending'
          OR customer_id IS NOT NULL OR cardinality(order_ids) > 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE sync.erp_jobs DROP CONSTRAINT erp_jobs_customer_named,
        DROP CONSTRAINT erp_jobs_scope_check, DROP COLUMN order_ids, DROP COLUMN scope`);
    for (const sql of tombstoneTableSql('sync').down) await queryRunner.query(sql);
  }
}
