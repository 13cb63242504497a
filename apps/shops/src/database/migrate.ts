import { runSchemaMigrations } from '@shopwire/database';
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
async function main(): Promise<void> {
  const dataSource = createShopsDataSource({
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    const applied = await runShopsMigrations(dataSource);
    process.stdout.write(`${JSON.stringify({ service: 'shops', msg: 'migrated', applied })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ service: 'shops', msg: 'migration failed', err: String(error) })}\n`,
    );
    process.exit(1);
  });
}
