import { runSchemaMigrations } from '@shopwire/database';
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
async function main(): Promise<void> {
  const dataSource = createSyncDataSource({
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    const applied = await runSyncMigrations(dataSource);
    process.stdout.write(`${JSON.stringify({ service: 'sync', msg: 'migrated', applied })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ service: 'sync', msg: 'migration failed', err: String(error) })}\n`,
    );
    process.exit(1);
  });
}
