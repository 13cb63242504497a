import { outboxTableSql } from '@shopwire/database';
import { jobsTableSql } from '@shopwire/jobs';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sync's jobs (order backfill, product import, inventory reconcile): the job table, its outputs,
 * and the outbox. The outbox carries both the dispatch of a submitted job to
 * `shopwire.jobs.sync.v1` and the webhook-shaped envelopes a job step emits, each committed in
 * the same transaction as the job row or the step's checkpoint.
 */
export class CreateSyncJobs1796400000002 implements MigrationInterface {
  name = 'CreateSyncJobs1796400000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [...jobsTableSql('sync').up, ...outboxTableSql('sync').up]) {
      await queryRunner.query(sql);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [...outboxTableSql('sync').down, ...jobsTableSql('sync').down]) {
      await queryRunner.query(sql);
    }
  }
}
