import { Module } from '@nestjs/common';
import { AnalyticsOutboxRelay } from './outbox-relay.service';

/** The relay of `analytics.outbox`. */
@Module({ providers: [AnalyticsOutboxRelay], exports: [AnalyticsOutboxRelay] })
export class OutboxModule {}
