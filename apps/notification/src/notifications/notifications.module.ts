import { Module } from '@nestjs/common';
import { EmailSender } from './email-sender';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationsConsumer } from './notifications.consumer';
import { NotificationsController } from './notifications.controller';
import { NotificationsMetrics } from './notifications.metrics';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { NotificationTombstones } from './notification-tombstones';
import { PrivacyRepository } from './privacy.repository';

@Module({
  // NotificationsConsumer: its @ConsumeChunks handler runs on the service's consumer transport.
  controllers: [NotificationsController, NotificationsConsumer],
  providers: [
    NotificationsMetrics,
    NotificationsRepository,
    PrivacyRepository,
    NotificationTombstones,
    NotificationsService,
    EmailSender,
    NotificationDispatcher,
  ],
  exports: [NotificationsRepository, EmailSender, NotificationDispatcher],
})
export class NotificationsModule {}
