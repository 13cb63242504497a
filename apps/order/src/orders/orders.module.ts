import { Module } from '@nestjs/common';
import { OrderOutboxService } from '../outbox/order-outbox.service';
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
  providers: [OrdersConsumer, OrdersService, OrdersRepository, OrdersMetrics, OrderOutboxService],
  exports: [OrdersConsumer, OrdersService, OrderOutboxService],
})
export class OrdersModule {}
