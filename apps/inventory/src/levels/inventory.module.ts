import { Module } from '@nestjs/common';
import { ServiceOutboxRelay } from '@shopwire/service-runtime';
import type { InventoryConfig } from '../config';
import { InventoryConsumer } from './inventory.consumer';
import { InventoryController } from './inventory.controller';
import { InventoryMetrics } from './inventory.metrics';
import { InventoryRepository } from './inventory.repository';
import { InventoryService } from './inventory.service';

/** Levels, commitments and low-stock events: the consumer, the outbox relay and the levels API. */
@Module({
  // InventoryConsumer: its @ConsumeChunks handler runs on the service's consumer transport.
  controllers: [InventoryController, InventoryConsumer],
  providers: [
    InventoryService,
    InventoryRepository,
    InventoryMetrics,
    ServiceOutboxRelay.provider<InventoryConfig>({
      enabled: (config) => config.OUTBOX_RELAY_ENABLED,
    }),
  ],
  exports: [InventoryService, ServiceOutboxRelay],
})
export class InventoryModule {}
