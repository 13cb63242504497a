import { migrateAndExit, runSchemaMigrations } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { createSyncDataSource } from './sync-data-source';

export { createSyncDataSource } from './sync-data-source';

/**
 * Applies the sync service's pending migrations (schema `sync`) and returns their names.
 * The data source must be initialised; it must come from `createSyncDataSource`, which knows
 * the migrations.
 */
export function runSyncMigrations(dataSource: DataSource): Promise<string[]> {
  return runSchemaMigrations(dataSource);
}

// `node dist/apps/sync/src/database/migrate.js`: migrate and exit (a Kubernetes Job, or locally).
if (require.main === module) void migrateAndExit('sync', createSyncDataSource);
