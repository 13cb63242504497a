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
import type { InventoryConfig } from './config';
import { CoreModule } from './core.module';
import { InventoryModule } from './levels/inventory.module';
import { InventoryService } from './levels/inventory.service';

function readinessChecks(
  inventory: InventoryService,
  consumers: ChunkConsumerTransport,
  relay: ServiceOutboxRelay,
): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => inventory.ping() },
    consumerReadinessCheck(consumers),
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
          inject: [InventoryService, ChunkConsumerTransport, ServiceOutboxRelay],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
