import { Module, type DynamicModule } from '@nestjs/common';
import { ConsumerGroup } from '@shopwire/contracts';
import type { Logger } from '@shopwire/observability';
import { ConsumerServiceModule } from '@shopwire/service-runtime';
import type { NotificationConfig } from './config';
import { CoreModule } from './core.module';
import { NotificationDispatcher } from './notifications/notification-dispatcher';
import { NotificationsModule } from './notifications/notifications.module';

@Module({})
export class AppModule {
  static register(config: NotificationConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConsumerServiceModule.register({
          core: CoreModule.forRoot(config, logger),
          imports: [NotificationsModule],
          deadLetters: ConsumerGroup.Notification,
          // Readiness: Postgres and the consumer decide it. The SMTP breaker is reported
          // (`smtp.state`) but an open breaker keeps the service ready: intents are durable and
          // consumption goes on, so taking every replica out of the Service would only hide the
          // notification log API. Alert on `shopwire_circuit_breaker_state{breaker="smtp"} == 2`.
          checks: {
            imports: [NotificationsModule],
            inject: [NotificationDispatcher],
            useFactory: (sender: NotificationDispatcher) => [
              { name: 'smtp', check: () => Promise.resolve(sender.health()) },
            ],
          },
        }),
      ],
    };
  }
}
