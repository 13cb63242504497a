import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context of the consumer span that recorded an order sync or an ERP job, so the
 * ERP call the worker makes later, outside the consumer's transaction, joins the webhook's trace.
 * Rows from before this migration have none; their calls start traces of their own.
 */
export class ErpTrace1796400000003 implements MigrationInterface {
  name = 'ErpTrace1796400000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sync.order_syncs ADD COLUMN trace_context jsonb`);
    await queryRunner.query(`ALTER TABLE sync.erp_jobs ADD COLUMN trace_context jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sync.erp_jobs DROP COLUMN trace_context`);
    await queryRunner.query(`ALTER TABLE sync.order_syncs DROP COLUMN trace_context`);
  }
}
