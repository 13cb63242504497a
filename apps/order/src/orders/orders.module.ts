import { Module } from '@nestjs/common';
import { ServiceOutboxRelay } from '@shopwire/service-runtime';
import type { OrderConfig } from '../config';
import { PrivacyModule } from '../privacy/privacy.module';
import { OrderChunkRepository } from './order-chunk.repository';
import { OrdersConsumer } from './orders.consumer';
import { OrdersController } from './orders.controller';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

/**
 * Orders: the consumer of `shopify.orders.v1` (and, on the same consumer and group,
 * `shopify.compliance.v1` for privacy), the orders REST API and the outbox relay of its events.
 */
@Module({
  imports: [PrivacyModule],
  // OrdersConsumer: its @ConsumeChunks handler runs on the service's consumer transport.
  controllers: [OrdersController, OrdersConsumer],
  providers: [
    OrdersService,
    OrdersRepository,
    OrderChunkRepository,
    OrdersMetrics,
    ServiceOutboxRelay.provider<OrderConfig>({
      tuning: (config) => ({
        pollIntervalMs: config.ORDER_OUTBOX_POLL_MS,
        batchSize: config.ORDER_OUTBOX_BATCH,
        retentionMs: config.ORDER_OUTBOX_RETENTION_HOURS * 3_600_000,
      }),
    }),
  ],
  exports: [OrdersService, ServiceOutboxRelay],
})
export class OrdersModule {}
