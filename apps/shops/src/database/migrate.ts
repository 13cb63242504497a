import { migrateAndExit, runSchemaMigrations } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { createShopsDataSource } from './shops-data-source';

export { createShopsDataSource } from './shops-data-source';

/**
 * Applies the shops service's pending migrations (schema `shops`) and returns their names.
 * The data source must be initialised; it must come from `createShopsDataSource`, which knows
 * the migrations.
 */
export function runShopsMigrations(dataSource: DataSource): Promise<string[]> {
  return runSchemaMigrations(dataSource);
}

// `node dist/apps/shops/src/database/migrate.js`: migrate and exit (a Kubernetes Job, or locally).
if (require.main === module) void migrateAndExit('shops', createShopsDataSource);
