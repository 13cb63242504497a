import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ApiTokenGuard,
  HealthModule,
  MetricsController,
  type ReadinessCheck,
} from '@shopwire/http';
import type { Logger } from '@shopwire/observability';
import { ConsumerGroup, SUBSCRIPTIONS } from '@shopwire/contracts';
import { DeadLettersModule } from '@shopwire/dead-letters';
import { ANALYTICS_KAFKA, ANALYTICS_PRODUCER } from './analytics.tokens';
import type { AnalyticsConfig } from './config';
import { CoreModule } from './core.module';
import { SalesConsumer } from './sales/sales.consumer';
import { SalesModule } from './sales/sales.module';
import { SalesService } from './sales/sales.service';

function readinessChecks(sales: SalesService, consumer: SalesConsumer): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => sales.ping() },
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
        DeadLettersModule.forService({
          group: ConsumerGroup.Analytics,
          topics: SUBSCRIPTIONS[ConsumerGroup.Analytics],
          kafka: ANALYTICS_KAFKA,
          producer: ANALYTICS_PRODUCER,
        }),
        HealthModule.forChecks({
          imports: [SalesModule],
          inject: [SalesService, SalesConsumer],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiTokenGuard }],
    };
  }
}
