import { deliveryJournalTableSql } from '@shopwire/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: the delivery journal (docs/adr/0011) — per consumer group and message, its Kafka
 * coordinates, outcome, attempts and trace, written by the inbox claim's own statement.
 */
export class DeliveryJournal1797400000000 implements MigrationInterface {
  name = 'DeliveryJournal1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of deliveryJournalTableSql('analytics').up) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of deliveryJournalTableSql('analytics').down) await queryRunner.query(sql);
  }
}
