import { Module } from '@nestjs/common';
import { ServiceOutboxRelay } from '@shopwire/service-runtime';
import type { AnalyticsConfig } from '../config';

/** The relay of `analytics.outbox`. */
@Module({
  providers: [
    ServiceOutboxRelay.provider<AnalyticsConfig>({
      enabled: (config) => config.OUTBOX_RELAY_ENABLED,
    }),
  ],
  exports: [ServiceOutboxRelay],
})
export class OutboxModule {}
