import { migrateAndExit, runSchemaMigrations } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { createInventoryDataSource } from './inventory-data-source';

export { createInventoryDataSource } from './inventory-data-source';

/** Applies the inventory service's pending migrations (schema `inventory`); returns their names. */
export function runInventoryMigrations(dataSource: DataSource): Promise<string[]> {
  return runSchemaMigrations(dataSource);
}

// `node dist/apps/inventory/src/database/migrate.js`: migrate and exit (a Kubernetes Job, or locally).
if (require.main === module) void migrateAndExit('inventory', createInventoryDataSource);
