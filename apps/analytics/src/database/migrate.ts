import { migrateAndExit, runSchemaMigrations } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { createAnalyticsDataSource } from './analytics-data-source';

export { createAnalyticsDataSource } from './analytics-data-source';

/** Applies the analytics service's pending migrations (schema `analytics`); returns their names. */
export function runAnalyticsMigrations(dataSource: DataSource): Promise<string[]> {
  return runSchemaMigrations(dataSource);
}

// `node dist/apps/analytics/src/database/migrate.js`: migrate and exit (a Kubernetes Job, or locally).
if (require.main === module) void migrateAndExit('analytics', createAnalyticsDataSource);
