import { Module } from '@nestjs/common';
import { ServiceOutboxRelay } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { CredentialsMetrics } from './credentials.metrics';
import { CredentialsRepository } from './credentials.repository';
import { InstallationsService } from './installations.service';
import { RefreshAheadLoop } from './refresh-ahead.loop';
import { ShopsController } from './shops.controller';
import { TokenRefresher } from './token-refresher';
import { tokenVaultProvider } from './token-vault.provider';
import { TokensController } from './tokens.controller';
import { UninstalledShops } from './uninstalled-shops';

/**
 * Installations and their sealed credentials: the vault, refresh (on demand and ahead of
 * expiry), the internal token API, `GET /shops`, the Redis uninstalled set and the outbox relay
 * of `shops.outbox`. Exports InstallationsService for the install flows, subscriptions and
 * lifecycle.
 */
@Module({
  controllers: [TokensController, ShopsController],
  providers: [
    CredentialsRepository,
    CredentialsMetrics,
    tokenVaultProvider,
    TokenRefresher,
    InstallationsService,
    RefreshAheadLoop,
    UninstalledShops,
    ServiceOutboxRelay.provider<ShopsConfig>({
      tuning: (config) => ({
        pollIntervalMs: config.SHOPS_OUTBOX_POLL_MS,
        batchSize: config.SHOPS_OUTBOX_BATCH,
        retentionMs: config.SHOPS_OUTBOX_RETENTION_HOURS * 3_600_000,
      }),
    }),
  ],
  exports: [
    CredentialsRepository,
    InstallationsService,
    UninstalledShops,
    CredentialsMetrics,
    ServiceOutboxRelay,
  ],
})
export class CredentialsModule {}
