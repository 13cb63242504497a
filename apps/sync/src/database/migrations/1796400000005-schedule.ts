import { jobsKeysSql } from '@shopwire/jobs';
import { scheduleTicksTableSql } from '@shopwire/scheduler';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled reconciliation (docs/adr/0006): the scheduler's lease table, idempotency keys and a
 * by-shop index for the jobs, and the installations sync learns from
 * `shops.installation.changed.v1` — the shops it schedules work for.
 */
export class Schedule1796400000005 implements MigrationInterface {
  name = 'Schedule1796400000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [...scheduleTicksTableSql('sync').up, ...jobsKeysSql('sync').up]) {
      await queryRunner.query(sql);
    }
    await queryRunner.query(`
      CREATE TABLE sync.shop_installations (
        shop_domain text PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('installed', 'uninstalled', 'reauth_required')),
        generation integer NOT NULL,
        aggregate_version text NOT NULL,
        changed_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX shop_installations_installed_idx ON sync.shop_installations (shop_domain)
         WHERE status = 'installed'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS sync.shop_installations`);
    for (const sql of [...jobsKeysSql('sync').down, ...scheduleTicksTableSql('sync').down]) {
      await queryRunner.query(sql);
    }
  }
}
