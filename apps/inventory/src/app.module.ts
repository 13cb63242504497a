import { Module, type DynamicModule } from '@nestjs/common';
import { ConsumerGroup } from '@shopwire/contracts';
import type { Logger } from '@shopwire/observability';
import { ConsumerServiceModule } from '@shopwire/service-runtime';
import type { InventoryConfig } from './config';
import { CoreModule } from './core.module';
import { InventoryModule } from './levels/inventory.module';

@Module({})
export class AppModule {
  static register(config: InventoryConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConsumerServiceModule.register({
          core: CoreModule.forRoot(config, logger),
          imports: [InventoryModule],
          deadLetters: ConsumerGroup.Inventory,
          // InventoryModule exports the relay of `inventory.outbox`.
          outbox: InventoryModule,
        }),
      ],
    };
  }
}
