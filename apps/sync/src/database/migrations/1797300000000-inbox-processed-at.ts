import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox pruner (`@shopwire/database`, every INBOX_PRUNE_INTERVAL_MS) deletes rows by age in
 * batches; without this index each batch would scan the whole table.
 */
export class InboxProcessedAt1797300000000 implements MigrationInterface {
  name = 'InboxProcessedAt1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS inbox_processed_at_idx ON sync.inbox (processed_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS sync.inbox_processed_at_idx`);
  }
}
