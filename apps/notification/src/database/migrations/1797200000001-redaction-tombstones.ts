import { tombstoneTableSql } from '@shopwire/privacy';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: keyed hashes of redacted customers (`@shopwire/privacy`), so an order event for them
 * that arrives after the redact (a redelivery, a DLQ replay, a backfilled order) records no
 * personal data and sends no email.
 */
export class RedactionTombstones1797200000001 implements MigrationInterface {
  name = 'RedactionTombstones1797200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of tombstoneTableSql('notification').up) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of tombstoneTableSql('notification').down) await queryRunner.query(sql);
  }
}
