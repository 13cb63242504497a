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
import { ServiceOutboxRelay } from '@shopwire/service-runtime';
import { ORDER_KAFKA, ORDER_PRODUCER } from './order.tokens';
import type { OrderConfig } from './config';
import { CoreModule } from './core.module';
import { OrdersConsumer } from './orders/orders.consumer';
import { OrdersModule } from './orders/orders.module';
import { OrdersService } from './orders/orders.service';

function readinessChecks(
  orders: OrdersService,
  consumer: OrdersConsumer,
  outbox: ServiceOutboxRelay,
): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => orders.ping() },
    {
      name: 'kafka-consumer',
      check: () => {
        const { running, joined, lastError } = consumer.status;
        if (!running || !joined) {
          return Promise.reject(
            new Error(lastError ?? (running ? 'not joined to its group yet' : 'not running')),
          );
        }
        return Promise.resolve({ joined });
      },
    },
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
          kafka: ORDER_KAFKA,
          producer: ORDER_PRODUCER,
        }),
        HealthModule.forChecks({
          imports: [OrdersModule],
          inject: [OrdersService, OrdersConsumer, ServiceOutboxRelay],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
