import { Module, type DynamicModule } from '@nestjs/common';
import { ConsumerGroup } from '@shopwire/contracts';
import type { Logger } from '@shopwire/observability';
import { ConsumerServiceModule } from '@shopwire/service-runtime';
import type { OrderConfig } from './config';
import { CoreModule } from './core.module';
import { OrdersModule } from './orders/orders.module';

@Module({})
export class AppModule {
  static register(config: OrderConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConsumerServiceModule.register({
          core: CoreModule.forRoot(config, logger),
          imports: [OrdersModule],
          deadLetters: ConsumerGroup.Order,
          // OrdersModule exports the relay of `orders.outbox`.
          outbox: OrdersModule,
        }),
      ],
    };
  }
}
