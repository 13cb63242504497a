import { tombstoneTableSql } from '@shopwire/privacy';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: keyed hashes of redacted customers (`@shopwire/privacy`), so an order message for
 * them that arrives after the redact — a retry, a DLQ replay, a backfill — is stored without
 * personal data.
 */
export class RedactionTombstones1797200000000 implements MigrationInterface {
  name = 'RedactionTombstones1797200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of tombstoneTableSql('orders').up) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of tombstoneTableSql('orders').down) await queryRunner.query(sql);
  }
}
