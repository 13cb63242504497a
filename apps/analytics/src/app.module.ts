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
import { JOBS_RUNTIME, type JobsRuntime } from '@shopwire/jobs';
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
  jobs: JobsRuntime,
): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => sales.ping() },
    consumerReadinessCheck(consumers),
    {
      name: 'jobs-consumer',
      check: () => {
        const { running, joined, lastError } = jobs.consumer.status;
        if (!running || !joined) {
          return Promise.reject(
            new Error(lastError ?? (running ? 'not joined to its group yet' : 'not running')),
          );
        }
        return Promise.resolve({ joined, running_jobs: jobs.worker.active.length });
      },
    },
    relay.readinessCheck(),
  ];
}

@Module({})
export class AppModule {
  static register(config: AnalyticsConfig, logger: Logger): DynamicModule {
    // One instance, imported by the app and by the health checks.
    const jobs = analyticsJobsModule(config);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        SalesModule,
        OutboxModule,
        jobs,
        DeadLettersModule.forService({
          group: ConsumerGroup.Analytics,
          topics: SUBSCRIPTIONS[ConsumerGroup.Analytics],
          kafka: SERVICE_KAFKA,
          producer: SERVICE_PRODUCER,
        }),
        HealthModule.forChecks({
          imports: [SalesModule, OutboxModule, jobs],
          inject: [SalesService, ChunkConsumerTransport, ServiceOutboxRelay, JOBS_RUNTIME],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
