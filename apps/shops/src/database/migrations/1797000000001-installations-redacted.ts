import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * shop/redact keeps a tombstone instead of deleting the installation: its generation must go on
 * counting, or a later reinstall's events (`generation:revision`) would lose to the old ones at
 * consumers that remember the highest version seen.
 */
export class InstallationsRedacted1797000000001 implements MigrationInterface {
  name = 'InstallationsRedacted1797000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE shops.installations ADD COLUMN redacted_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE shops.installations DROP COLUMN redacted_at`);
  }
}
