import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { ConsumerServiceModule } from '@shopwire/service-runtime';
import type { ShopsConfig } from './config';
import { CoreModule } from './core.module';
import { CredentialsModule } from './credentials/credentials.module';
import { InstallModule } from './install/install.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';

@Module({})
export class AppModule {
  static register(config: ShopsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Readiness covers both consumer groups (lifecycle webhooks, install-time reconcile) in
        // the broker's view, and the relay of `shops.outbox` (CredentialsModule exports it).
        ConsumerServiceModule.register({
          core: CoreModule.forRoot(config, logger),
          imports: [
            // Installations, sealed tokens, refresh, the internal token API (exports
            // InstallationsService for the feature modules below).
            CredentialsModule,
            // Install flows: authorization code, token exchange, client credentials, legacy token.
            InstallModule,
            // app/uninstalled and shop/redact from shopify.compliance.v1.
            LifecycleModule,
            // Webhook subscriptions kept as declared: at install, on a schedule, on demand.
            SubscriptionsModule,
          ],
          outbox: CredentialsModule,
        }),
      ],
    };
  }
}
