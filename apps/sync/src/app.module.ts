import { Module, type DynamicModule } from '@nestjs/common';
import { ConsumerGroup } from '@shopwire/contracts';
import type { Logger } from '@shopwire/observability';
import { ConsumerServiceModule } from '@shopwire/service-runtime';
import type { SyncConfig } from './config';
import { CatalogCache } from './catalog/catalog-cache';
import { CatalogModule } from './catalog/catalog.module';
import { CoreModule } from './core.module';
import { SyncJobHandlersModule, syncJobsModule } from './jobs/sync-jobs.module';
import { InventoryLevelsClient } from './jobs/inventory-levels.client';
import { ErpSyncWorker } from './orders/erp-sync.worker';
import { SyncModule } from './orders/sync.module';
import { scheduleModule } from './schedule/schedule.module';

@Module({})
export class AppModule {
  static register(config: SyncConfig, logger: Logger): DynamicModule {
    // One instance, imported by the app and by the schedule.
    const jobs = syncJobsModule(config);
    return {
      module: AppModule,
      imports: [
        ConsumerServiceModule.register({
          core: CoreModule.forRoot(config, logger),
          imports: [SyncModule, CatalogModule, jobs, scheduleModule(jobs)],
          deadLetters: ConsumerGroup.Sync,
          // SyncJobHandlersModule exports the relay of `sync.outbox`.
          outbox: SyncJobHandlersModule,
          // Readiness: Postgres and the consumers (every group in the broker's view: sync, the
          // jobs' dispatch group and the cache purge group) decide it; the ERP breaker is
          // reported (`erp.state`) but an open breaker keeps the service ready — orders wait
          // durably and the API still answers. Alert on
          // `shopwire_circuit_breaker_state{breaker="erp"} == 2`.
          checks: {
            imports: [SyncModule, CatalogModule, SyncJobHandlersModule],
            inject: [ErpSyncWorker, CatalogCache, InventoryLevelsClient],
            useFactory: (
              erp: ErpSyncWorker,
              cache: CatalogCache,
              inventoryApi: InventoryLevelsClient,
            ) => [
              { name: 'erp', check: () => Promise.resolve(erp.health()) },
              // Reported only: without Redis the catalog API answers from the origin.
              { name: 'cache', check: () => Promise.resolve(cache.health()) },
              // Reported only: an inventory service that is down fails reconcile jobs, nothing else.
              { name: 'inventory-api', check: () => Promise.resolve(inventoryApi.health()) },
            ],
          },
        }),
      ],
    };
  }
}
