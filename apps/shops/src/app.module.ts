import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ApiAccessGuard,
  HealthModule,
  MetricsController,
  type ReadinessCheck,
} from '@shopwire/http';
import type { Logger } from '@shopwire/observability';
import { ChunkConsumerTransport } from '@shopwire/kafka';
import { consumerReadinessCheck, ServiceOutboxRelay } from '@shopwire/service-runtime';
import type { ShopsConfig } from './config';
import { CoreModule } from './core.module';
import { CredentialsModule } from './credentials/credentials.module';
import { CredentialsRepository } from './credentials/credentials.repository';
import { InstallModule } from './install/install.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';

function readinessChecks(
  repository: CredentialsRepository,
  outbox: ServiceOutboxRelay,
  consumers: ChunkConsumerTransport,
): ReadinessCheck[] {
  return [
    { name: 'postgres', check: () => repository.ping() },
    // Both groups (lifecycle webhooks, install-time reconcile) in the broker's view.
    consumerReadinessCheck(consumers),
    outbox.readinessCheck(),
  ];
}

@Module({})
export class AppModule {
  static register(config: ShopsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...CoreModule.forRoot(config, logger),
        // Installations, sealed tokens, refresh, the internal token API (exports
        // InstallationsService for the feature modules below).
        CredentialsModule,
        // Install flows: authorization code, token exchange, client credentials, legacy token.
        InstallModule,
        // app/uninstalled and shop/redact from shopify.compliance.v1.
        LifecycleModule,
        // Webhook subscriptions kept as declared: at install, on a schedule, on demand.
        SubscriptionsModule,
        HealthModule.forChecks({
          imports: [CredentialsModule],
          inject: [CredentialsRepository, ServiceOutboxRelay, ChunkConsumerTransport],
          useFactory: readinessChecks,
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
