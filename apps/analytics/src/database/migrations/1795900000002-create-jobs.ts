import { outboxTableSql } from '@shopwire/database';
import { jobsTableSql } from '@shopwire/jobs';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Async jobs (report jobs): the job table, its outputs, and the outbox that dispatches a
 * submitted job to `shopwire.jobs.analytics.v1` in the same transaction as its row.
 */
export class CreateJobs1795900000002 implements MigrationInterface {
  name = 'CreateJobs1795900000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [...jobsTableSql('analytics').up, ...outboxTableSql('analytics').up]) {
      await queryRunner.query(sql);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [...outboxTableSql('analytics').down, ...jobsTableSql('analytics').down]) {
      await queryRunner.query(sql);
    }
  }
}
