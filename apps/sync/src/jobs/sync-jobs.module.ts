import { Module, type DynamicModule } from '@nestjs/common';
import { JobQueue } from '@shopwire/contracts';
import { JobsModule, jobsSettings } from '@shopwire/jobs';
import type { Logger } from '@shopwire/observability';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { SyncConfig } from '../config';
import { SYNC_DATA_SOURCE } from '../database/sync-data-source';
import { SYNC_KAFKA, SYNC_LOGGER } from '../sync.tokens';
import { OrderBackfillJob } from './order-backfill.job';
import { SyncAdminClient } from './sync-admin-client';
import { SyncOutboxRelay } from './sync-outbox-relay';

/** The sync job types (handlers for `@shopwire/jobs`), the Admin API client and the outbox relay. */
@Module({
  providers: [SyncAdminClient, SyncOutboxRelay, OrderBackfillJob],
  exports: [SyncAdminClient, SyncOutboxRelay, OrderBackfillJob],
})
export class SyncJobHandlersModule {}

/** `/jobs` and the job runtime of the sync service (topic `shopwire.jobs.sync.v1`). */
export function syncJobsModule(config: SyncConfig): DynamicModule {
  return JobsModule.forService({
    imports: [SyncJobHandlersModule],
    inject: [SYNC_DATA_SOURCE, SYNC_KAFKA, SYNC_LOGGER, OrderBackfillJob],
    useFactory: (
      dataSource: DataSource,
      kafka: Kafka,
      logger: Logger,
      orderBackfill: OrderBackfillJob,
    ) => ({
      service: JobQueue.Sync,
      dataSource,
      kafka,
      logger,
      handlers: [orderBackfill],
      settings: jobsSettings(config),
    }),
  });
}
