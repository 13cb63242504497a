import type { FactoryProvider, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InboxPruner, inboxPruningSettings } from '@shopwire/database';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger } from '@shopwire/observability';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

export const SERVICE_INBOX_PRUNER = Symbol('SERVICE_INBOX_PRUNER');

/** Starts pruning once the app is up; stops before the pool closes (onModuleDestroy runs first). */
class InboxPrunerLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(readonly pruner: InboxPruner) {}

  onApplicationBootstrap(): void {
    this.pruner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.pruner.stop();
  }
}

/**
 * The service's inbox pruner (`INBOX_*` variables, read and checked at boot: a retention inside
 * Shopify's redelivery window stops the service naming the variable).
 */
export function inboxPrunerProvider(dataSourceToken: symbol, logger: Logger): FactoryProvider {
  return {
    provide: SERVICE_INBOX_PRUNER,
    inject: [dataSourceToken, METRICS_REGISTRY],
    useFactory: (dataSource: DataSource, registry: Registry) =>
      new InboxPrunerLifecycle(
        new InboxPruner({
          dataSource,
          settings: inboxPruningSettings(),
          logger: logger.child({ component: 'inbox-pruner' }),
          registry,
        }),
      ),
  };
}
