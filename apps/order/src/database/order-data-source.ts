import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import { createSchemaDataSource } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { OrderLineItemEntity } from '../orders/order-line-item.entity';
import { OrderEntity } from '../orders/order.entity';
import { CreateOrders1795748394149 } from './migrations/1795748394149-create-orders';
import { OrderCustomersOutboxPrivacy1795900000000 } from './migrations/1795900000000-order-customers-outbox-privacy';
import { RedactionTombstones1797200000000 } from './migrations/1797200000000-redaction-tombstones';
import { DeliveryJournal1797400000000 } from './migrations/1797400000000-delivery-journal';
import { OrdersByName1797400000001 } from './migrations/1797400000001-orders-by-name';

export const ORDER_SCHEMA = 'orders';

/** Nest token for the order service's data source. */
/** The order service's name for the shared runtime's data source token. */
export const ORDER_DATA_SOURCE = SERVICE_DATA_SOURCE;

export function createOrderDataSource(options: { url: string; poolSize: number }): DataSource {
  return createSchemaDataSource({
    url: options.url,
    schema: ORDER_SCHEMA,
    poolSize: options.poolSize,
    entities: [OrderEntity, OrderLineItemEntity],
    migrations: [
      CreateOrders1795748394149,
      OrderCustomersOutboxPrivacy1795900000000,
      RedactionTombstones1797200000000,
      DeliveryJournal1797400000000,
      OrdersByName1797400000001,
    ],
    applicationName: 'shopwire-order',
  });
}
