import { createSchemaDataSource } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { CreateInventory1795900000000 } from './migrations/1795900000000-create-inventory';
import { DeliveryJournal1797400000000 } from './migrations/1797400000000-delivery-journal';

export const INVENTORY_SCHEMA = 'inventory';

/**
 * The inventory schema's data source. No entity classes: every statement is hand-written,
 * parameterised SQL (upserts with stale guards, array parameters), which the repository owns.
 */
export function createInventoryDataSource(options: { url: string; poolSize: number }): DataSource {
  return createSchemaDataSource({
    url: options.url,
    schema: INVENTORY_SCHEMA,
    poolSize: options.poolSize,
    migrations: [CreateInventory1795900000000, DeliveryJournal1797400000000],
    applicationName: 'shopwire-inventory',
  });
}
