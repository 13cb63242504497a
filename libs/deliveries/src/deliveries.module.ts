import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DELIVERIES_SERVICE_NAME } from './deliveries.tokens';

export interface DeliveriesModuleOptions {
  /** The service's name, or the token it is provided under. */
  service: string | InjectionToken;
  /** The token of the service's schema-scoped data source (its schema has the journal). */
  dataSource: InjectionToken;
}

/** `GET /deliveries` for one consumer service, registered by `ConsumerServiceModule`. */
@Module({})
export class DeliveriesModule {
  static forService(options: DeliveriesModuleOptions): DynamicModule {
    return {
      module: DeliveriesModule,
      controllers: [DeliveriesController],
      providers: [
        typeof options.service === 'string'
          ? { provide: DELIVERIES_SERVICE_NAME, useValue: options.service }
          : { provide: DELIVERIES_SERVICE_NAME, useExisting: options.service },
        {
          provide: DeliveriesRepository,
          inject: [options.dataSource],
          useFactory: (dataSource: DataSource) => new DeliveriesRepository(dataSource),
        },
      ],
    };
  }
}
