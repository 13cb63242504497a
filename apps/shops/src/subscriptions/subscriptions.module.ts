import { Module } from '@nestjs/common';
import { CredentialsModule } from '../credentials/credentials.module';
import { InstalledShopsConsumer } from './installed-shops.consumer';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsScheduler } from './subscriptions.scheduler';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Webhook subscriptions kept as `@shopwire/contracts` declares them: at install (the service's
 * own `installation.installed` event), every SUBSCRIPTIONS_RECONCILE_INTERVAL_SECONDS for every
 * installed shop (one replica at a time), and on demand
 * (`POST /shops/:shop/webhook-subscriptions/reconcile`). State in `shops.webhook_subscriptions`.
 */
@Module({
  imports: [CredentialsModule],
  // InstalledShopsConsumer: a @ConsumeChunks handler on the service's consumer transport.
  controllers: [SubscriptionsController, InstalledShopsConsumer],
  providers: [SubscriptionsRepository, SubscriptionsService, SubscriptionsScheduler],
  exports: [SubscriptionsService],
})
export class SubscriptionsModule {}
