import { Module, type DynamicModule } from '@nestjs/common';
import { JobQueue } from '@shopwire/contracts';
import { JobsModule, jobsSettings } from '@shopwire/jobs';
import { SERVICE_DATA_SOURCE, SERVICE_LOGGER, ServiceOutboxRelay } from '@shopwire/service-runtime';
import type { Logger } from '@shopwire/observability';
import type { DataSource } from 'typeorm';
import type { SyncConfig } from '../config';
import { AdminApiModule } from '../admin-api/admin-api.module';
import { CatalogModule } from '../catalog/catalog.module';
import { CatalogRepository } from '../catalog/catalog.repository';
import { InventoryLevelsClient } from './inventory-levels.client';
import { InventoryReconcileJob } from './inventory-reconcile.job';
import { OrderBackfillJob } from './order-backfill.job';
import { ProductImportJob } from './product-import.job';

/** The sync job types (handlers for `@shopwire/jobs`) and the outbox relay. */
@Module({
  imports: [AdminApiModule, CatalogModule],
  providers: [
    // job dispatches (`shopwire.jobs.sync.v1`) and the envelopes job steps emit
    ServiceOutboxRelay.provider(),
    CatalogRepository,
    InventoryLevelsClient,
    OrderBackfillJob,
    ProductImportJob,
    InventoryReconcileJob,
  ],
  exports: [
    ServiceOutboxRelay,
    InventoryLevelsClient,
    OrderBackfillJob,
    ProductImportJob,
    InventoryReconcileJob,
  ],
})
export class SyncJobHandlersModule {}

/**
 * `/jobs` and the job runtime of the sync service (topic `shopwire.jobs.sync.v1`); its dispatch
 * consumer is a `@ConsumeChunks` handler on the service's transport (group `jobs`).
 */
export function syncJobsModule(config: SyncConfig): DynamicModule {
  return JobsModule.forService({
    imports: [SyncJobHandlersModule],
    inject: [
      SERVICE_DATA_SOURCE,
      SERVICE_LOGGER,
      OrderBackfillJob,
      ProductImportJob,
      InventoryReconcileJob,
    ],
    useFactory: (
      dataSource: DataSource,
      logger: Logger,
      orderBackfill: OrderBackfillJob,
      productImport: ProductImportJob,
      inventoryReconcile: InventoryReconcileJob,
    ) => ({
      service: JobQueue.Sync,
      dataSource,
      logger,
      handlers: [orderBackfill, productImport, inventoryReconcile],
      settings: jobsSettings(config),
    }),
  });
}
