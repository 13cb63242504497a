import { runSchemaMigrations } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { createAnalyticsDataSource } from './analytics-data-source';

export { createAnalyticsDataSource } from './analytics-data-source';

/** Applies the analytics service's pending migrations (schema `analytics`); returns their names. */
export function runAnalyticsMigrations(dataSource: DataSource): Promise<string[]> {
  return runSchemaMigrations(dataSource);
}

// `node dist/apps/analytics/src/database/migrate.js`: migrate and exit (a Kubernetes Job, or locally).
async function main(): Promise<void> {
  const dataSource = createAnalyticsDataSource({
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    const applied = await runAnalyticsMigrations(dataSource);
    process.stdout.write(`${JSON.stringify({ service: 'analytics', msg: 'migrated', applied })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ service: 'analytics', msg: 'migration failed', err: String(error) })}\n`,
    );
    process.exit(1);
  });
}
