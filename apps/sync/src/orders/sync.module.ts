import { Module } from '@nestjs/common';
import { CatalogRepository } from '../catalog/catalog.repository';
import { CatalogModule } from '../catalog/catalog.module';
import { ShopInstallationsModule } from '../schedule/schedule.module';
import { ErpClient } from './erp-client';
import { ErpSyncWorker } from './erp-sync.worker';
import { OrderSyncRepository } from './order-sync.repository';
import { SyncPrivacyRepository } from './sync-privacy.repository';
import { SyncConsumer } from './sync.consumer';
import { SyncController } from './sync.controller';
import { SyncMetrics } from './sync.metrics';
import { SyncService } from './sync.service';
import { SyncTombstones } from './sync-tombstones';

@Module({
  imports: [CatalogModule, ShopInstallationsModule],
  // SyncConsumer: its @ConsumeChunks handler runs on the service's consumer transport.
  controllers: [SyncController, SyncConsumer],
  providers: [
    SyncMetrics,
    OrderSyncRepository,
    CatalogRepository,
    SyncPrivacyRepository,
    SyncTombstones,
    SyncService,
    ErpClient,
    ErpSyncWorker,
  ],
  exports: [OrderSyncRepository, ErpClient, ErpSyncWorker],
})
export class SyncModule {}
