import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context of the event that asked for an email, so the later SMTP send joins the
 * webhook's trace although it runs in the sender loop, outside the consumer's transaction.
 */
export class IntentTrace1796400000001 implements MigrationInterface {
  name = 'IntentTrace1796400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE notification.notifications ADD COLUMN trace_context jsonb`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notification.notifications DROP COLUMN trace_context`);
  }
}
