import { Module } from '@nestjs/common';
import { ServiceOutboxRelay } from '@shopwire/service-runtime';
import type { OrderConfig } from '../config';
import { PrivacyModule } from '../privacy/privacy.module';
import { OrdersConsumer } from './orders.consumer';
import { OrdersController } from './orders.controller';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

/**
 * Orders: the consumer of `shopify.orders.v1` (and, on the same runner and group,
 * `shopify.compliance.v1` for privacy), the orders REST API and the outbox relay of its events.
 */
@Module({
  imports: [PrivacyModule],
  controllers: [OrdersController],
  providers: [
    OrdersConsumer,
    OrdersService,
    OrdersRepository,
    OrdersMetrics,
    ServiceOutboxRelay.provider<OrderConfig>({
      tuning: (config) => ({
        pollIntervalMs: config.ORDER_OUTBOX_POLL_MS,
        batchSize: config.ORDER_OUTBOX_BATCH,
        retentionMs: config.ORDER_OUTBOX_RETENTION_HOURS * 3_600_000,
      }),
    }),
  ],
  exports: [OrdersConsumer, OrdersService, ServiceOutboxRelay],
})
export class OrdersModule {}
