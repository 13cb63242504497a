import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ApiAccessGuard,
  HealthModule,
  MetricsController,
  type ReadinessCheck,
} from '@shopwire/http';
import type { Logger } from '@shopwire/observability';
import { ConsumerGroup, SUBSCRIPTIONS } from '@shopwire/contracts';
import { DeadLettersModule } from '@shopwire/dead-letters';
import { ChunkConsumerTransport } from '@shopwire/kafka';
import {
  consumerReadinessCheck,
  SERVICE_KAFKA,
  SERVICE_PRODUCER,
  ServiceOutboxRelay,
} from '@shopwire/service-runtime';
import type { SyncConfig } from './config';
import { CatalogCache } from './catalog/catalog-cache';
import { CatalogModule } from './catalog/catalog.module';
import { CoreModule } from './core.module';
import { SyncJobHandlersModule, syncJobsModule } from './jobs/sync-jobs.module';
import { InventoryLevelsClient } from './jobs/inventory-levels.client';
import { ErpSyncWorker } from './orders/erp-sync.worker';
import { OrderSyncRepository } from './orders/order-sync.repository';
import { SyncModule } from './orders/sync.module';
import { scheduleModule } from './schedule/schedule.module';

/**
 * Readiness: Postgres and the consumers (every group in the broker's view: sync, the jobs'
 * dispatch group and the cache purge group) decide it; the ERP
 * breaker is reported (`erp.state`) but an open breaker keeps the service ready — orders wait
 * durably and the API still answers.
 * Alert on `shopwire_circuit_breaker_state{breaker="erp"} == 2`.
 */
function readinessChecks(
  repository: OrderSyncRepository,
  consumers: ChunkConsumerTransport,
  erp: ErpSyncWorker,
  cache: CatalogCache,
  relay: ServiceOutboxRelay,
  inventoryApi: InventoryLevelsClient,
): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => repository.ping() },
    consumerReadinessCheck(consumers),
    { name: 'erp', check: () => Promise.resolve(erp.health()) },
    // Reported only: without Redis the catalog API answers from the origin.
    { name: 'cache', check: () => Promise.resolve(cache.health()) },
    // Reported only: an inventory service that is down fails reconcile jobs, nothing else.
    { name: 'inventory-api', check: () => Promise.resolve(inventoryApi.health()) },
    relay.readinessCheck(),
  ];
}

@Module({})
export class AppModule {
  static register(config: SyncConfig, logger: Logger): DynamicModule {
    // One instance, imported by the app and by the schedule.
    const jobs = syncJobsModule(config);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        SyncModule,
        CatalogModule,
        jobs,
        scheduleModule(jobs),
        DeadLettersModule.forService({
          group: ConsumerGroup.Sync,
          topics: SUBSCRIPTIONS[ConsumerGroup.Sync],
          kafka: SERVICE_KAFKA,
          producer: SERVICE_PRODUCER,
        }),
        HealthModule.forChecks({
          imports: [SyncModule, CatalogModule, SyncJobHandlersModule],
          inject: [
            OrderSyncRepository,
            ChunkConsumerTransport,
            ErpSyncWorker,
            CatalogCache,
            ServiceOutboxRelay,
            InventoryLevelsClient,
          ],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
