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
import type { AnalyticsConfig } from './config';
import { CoreModule } from './core.module';
import { OutboxModule } from './outbox/outbox.module';
import { analyticsJobsModule } from './reports/jobs';
import { SalesModule } from './sales/sales.module';
import { SalesService } from './sales/sales.service';

function readinessChecks(
  sales: SalesService,
  consumers: ChunkConsumerTransport,
  relay: ServiceOutboxRelay,
): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => sales.ping() },
    // Every group in the broker's view: analytics, and the jobs' dispatch group (`jobs`).
    consumerReadinessCheck(consumers),
    relay.readinessCheck(),
  ];
}

@Module({})
export class AppModule {
  static register(config: AnalyticsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        SalesModule,
        OutboxModule,
        analyticsJobsModule(config),
        DeadLettersModule.forService({
          group: ConsumerGroup.Analytics,
          topics: SUBSCRIPTIONS[ConsumerGroup.Analytics],
          kafka: SERVICE_KAFKA,
          producer: SERVICE_PRODUCER,
        }),
        HealthModule.forChecks({
          imports: [SalesModule, OutboxModule],
          inject: [SalesService, ChunkConsumerTransport, ServiceOutboxRelay],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
