import { Module } from '@nestjs/common';
import { OrdersConsumer } from './orders.consumer';
import { OrdersController } from './orders.controller';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

/** Orders: the consumer of `shopify.orders.v1` and the orders REST API. */
@Module({
  controllers: [OrdersController],
  providers: [OrdersConsumer, OrdersService, OrdersRepository, OrdersMetrics],
  exports: [OrdersConsumer, OrdersService],
})
export class OrdersModule {}
