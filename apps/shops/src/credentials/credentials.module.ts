import { Module } from '@nestjs/common';
import { ServiceOutboxRelay } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { CredentialsRepository } from './credentials.repository';

/**
 * Installations and their sealed credentials: the vault, refresh, the token API and the outbox
 * relay of `shops.outbox`. Exports what the install flows and subscriptions need.
 */
@Module({
  providers: [
    CredentialsRepository,
    ServiceOutboxRelay.provider<ShopsConfig>({
      tuning: (config) => ({
        pollIntervalMs: config.SHOPS_OUTBOX_POLL_MS,
        batchSize: config.SHOPS_OUTBOX_BATCH,
        retentionMs: config.SHOPS_OUTBOX_RETENTION_HOURS * 3_600_000,
      }),
    }),
  ],
  exports: [CredentialsRepository, ServiceOutboxRelay],
})
export class CredentialsModule {}
