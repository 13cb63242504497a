import { runSchemaMigrations } from '@shopwire/database';
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
async function main(): Promise<void> {
  const dataSource = createNotificationDataSource({
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    const applied = await runNotificationMigrations(dataSource);
    process.stdout.write(
      `${JSON.stringify({ service: 'notification', msg: 'migrated', applied })}\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ service: 'notification', msg: 'migration failed', err: String(error) })}\n`,
    );
    process.exit(1);
  });
}
