import { Module } from '@nestjs/common';
import { SalesConsumer } from './sales.consumer';
import { SalesController } from './sales.controller';
import { SalesMetrics } from './sales.metrics';
import { SalesRepository } from './sales.repository';
import { SalesService } from './sales.service';

/** Sales aggregates: the consumer of order events and the sales REST API. */
@Module({
  // SalesConsumer: its @ConsumeChunks handler runs on the service's consumer transport.
  controllers: [SalesController, SalesConsumer],
  providers: [SalesService, SalesRepository, SalesMetrics],
  exports: [SalesService, SalesRepository],
})
export class SalesModule {}
