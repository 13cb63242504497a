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
import { SERVICE_KAFKA, SERVICE_PRODUCER, ServiceOutboxRelay } from '@shopwire/service-runtime';
import type { InventoryConfig } from './config';
import { CoreModule } from './core.module';
import { InventoryConsumer } from './levels/inventory.consumer';
import { InventoryModule } from './levels/inventory.module';
import { InventoryService } from './levels/inventory.service';

function readinessChecks(
  inventory: InventoryService,
  consumer: InventoryConsumer,
  relay: ServiceOutboxRelay,
): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => inventory.ping() },
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
    relay.readinessCheck(),
  ];
}

@Module({})
export class AppModule {
  static register(config: InventoryConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        InventoryModule,
        DeadLettersModule.forService({
          group: ConsumerGroup.Inventory,
          topics: SUBSCRIPTIONS[ConsumerGroup.Inventory],
          kafka: SERVICE_KAFKA,
          producer: SERVICE_PRODUCER,
        }),
        HealthModule.forChecks({
          imports: [InventoryModule],
          inject: [InventoryService, InventoryConsumer, ServiceOutboxRelay],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
