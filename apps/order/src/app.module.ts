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
import type { OrderConfig } from './config';
import { CoreModule } from './core.module';
import { OrdersModule } from './orders/orders.module';
import { OrdersService } from './orders/orders.service';

function readinessChecks(
  orders: OrdersService,
  consumers: ChunkConsumerTransport,
  outbox: ServiceOutboxRelay,
): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => orders.ping() },
    consumerReadinessCheck(consumers),
    outbox.readinessCheck(),
  ];
}

@Module({})
export class AppModule {
  static register(config: OrderConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        OrdersModule,
        DeadLettersModule.forService({
          group: ConsumerGroup.Order,
          topics: SUBSCRIPTIONS[ConsumerGroup.Order],
          kafka: SERVICE_KAFKA,
          producer: SERVICE_PRODUCER,
        }),
        HealthModule.forChecks({
          imports: [OrdersModule],
          inject: [OrdersService, ChunkConsumerTransport, ServiceOutboxRelay],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
