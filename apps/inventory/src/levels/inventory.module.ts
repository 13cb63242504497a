import { Module } from '@nestjs/common';
import { InventoryOutboxRelay } from '../outbox/outbox-relay.service';
import { InventoryConsumer } from './inventory.consumer';
import { InventoryController } from './inventory.controller';
import { InventoryMetrics } from './inventory.metrics';
import { InventoryRepository } from './inventory.repository';
import { InventoryService } from './inventory.service';

/** Levels, commitments and low-stock events: the consumer, the outbox relay and the levels API. */
@Module({
  controllers: [InventoryController],
  providers: [
    InventoryConsumer,
    InventoryService,
    InventoryRepository,
    InventoryMetrics,
    InventoryOutboxRelay,
  ],
  exports: [InventoryConsumer, InventoryService, InventoryOutboxRelay],
})
export class InventoryModule {}
