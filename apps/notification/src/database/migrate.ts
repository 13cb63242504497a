import { migrateAndExit, runSchemaMigrations } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { createNotificationDataSource } from './notification-data-source';

export { createNotificationDataSource } from './notification-data-source';

/**
 * Applies the notification service's pending migrations (schema `notification`) and returns their names.
 * The data source must be initialised; it must come from `createNotificationDataSource`, which knows
 * the migrations.
 */
export function runNotificationMigrations(dataSource: DataSource): Promise<string[]> {
  return runSchemaMigrations(dataSource);
}

// `node dist/apps/notification/src/database/migrate.js`: migrate and exit (a Kubernetes Job, or locally).
if (require.main === module) void migrateAndExit('notification', createNotificationDataSource);
