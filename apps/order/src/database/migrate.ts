import { migrateAndExit, runSchemaMigrations } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { createOrderDataSource } from './order-data-source';

export { createOrderDataSource } from './order-data-source';

/**
 * Applies the order service's pending migrations (schema `orders`) and returns their names.
 * The data source must be initialised; it must come from `createOrderDataSource`, which knows
 * the migrations.
 */
export function runOrderMigrations(dataSource: DataSource): Promise<string[]> {
  return runSchemaMigrations(dataSource);
}

// `node dist/apps/order/src/database/migrate.js`: migrate and exit (a Kubernetes Job, or locally).
if (require.main === module) void migrateAndExit('order', createOrderDataSource);
