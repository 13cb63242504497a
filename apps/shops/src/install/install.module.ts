import { Module } from '@nestjs/common';
import { WEBHOOK_API_VERSION } from '@shopwire/contracts';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { CredentialsModule } from '../credentials/credentials.module';
import { AdminTokenProbe } from './admin-token-probe';
import { InstallRefusedFilter } from './install-refused.filter';
import { InstallStateCookie } from './install-state';
import { InstallController } from './install.controller';
import { InstallMetrics } from './install.metrics';
import { InstallService } from './install.service';
import { ShopGrantsController } from './shop-grants.controller';

/**
 * The install flows: authorization code (`/auth/install`, `/auth/callback`), token exchange
 * (`/auth/token-exchange`), client credentials and legacy tokens (`/shops/:shop/…`). Needs
 * @fastify/cookie registered with `SHOPS_COOKIE_SECRET` (see registerInstallCookies).
 */
@Module({
  imports: [CredentialsModule],
  controllers: [InstallController, ShopGrantsController],
  providers: [
    InstallService,
    InstallMetrics,
    InstallRefusedFilter,
    {
      provide: InstallStateCookie,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ShopsConfig) =>
        new InstallStateCookie({
          publicUrl: config.SHOPWIRE_PUBLIC_URL,
          maxAgeSeconds: config.SHOPS_INSTALL_STATE_MAX_AGE_SECONDS,
        }),
    },
    {
      provide: AdminTokenProbe,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ShopsConfig) =>
        new AdminTokenProbe({
          shopUrlTemplate: config.SHOPIFY_SHOP_URL,
          // The version the app's webhooks and Admin API calls use, so one upgrade moves all.
          apiVersion: WEBHOOK_API_VERSION,
          timeoutMs: config.SHOPS_TOKEN_ENDPOINT_TIMEOUT_MS,
        }),
    },
  ],
})
export class InstallModule {}
