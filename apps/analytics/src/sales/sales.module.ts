import { Module } from '@nestjs/common';
import { SalesConsumer } from './sales.consumer';
import { SalesController } from './sales.controller';
import { SalesMetrics } from './sales.metrics';
import { SalesRepository } from './sales.repository';
import { SalesService } from './sales.service';

/** Sales aggregates: the consumer of order events and the sales REST API. */
@Module({
  controllers: [SalesController],
  providers: [SalesConsumer, SalesService, SalesRepository, SalesMetrics],
  exports: [SalesConsumer, SalesService, SalesRepository],
})
export class SalesModule {}
