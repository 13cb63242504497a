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
import { consumerReadinessCheck, SERVICE_KAFKA, SERVICE_PRODUCER } from '@shopwire/service-runtime';
import type { NotificationConfig } from './config';
import { CoreModule } from './core.module';
import { NotificationDispatcher } from './notifications/notification-dispatcher';
import { NotificationsModule } from './notifications/notifications.module';
import { NotificationsRepository } from './notifications/notifications.repository';

/**
 * Readiness: Postgres and the consumer decide it. The SMTP breaker is reported (`smtp.state`)
 * but an open breaker keeps the service ready: intents are durable and consumption goes on, so
 * taking every replica out of the Service would only hide the notification log API. Alert on
 * `shopwire_circuit_breaker_state{breaker="smtp"} == 2` instead.
 */
function readinessChecks(
  repository: NotificationsRepository,
  consumers: ChunkConsumerTransport,
  sender: NotificationDispatcher,
): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => repository.ping() },
    consumerReadinessCheck(consumers),
    { name: 'smtp', check: () => Promise.resolve(sender.health()) },
  ];
}

@Module({})
export class AppModule {
  static register(config: NotificationConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        NotificationsModule,
        DeadLettersModule.forService({
          group: ConsumerGroup.Notification,
          topics: SUBSCRIPTIONS[ConsumerGroup.Notification],
          kafka: SERVICE_KAFKA,
          producer: SERVICE_PRODUCER,
        }),
        HealthModule.forChecks({
          imports: [NotificationsModule],
          inject: [NotificationsRepository, ChunkConsumerTransport, NotificationDispatcher],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
