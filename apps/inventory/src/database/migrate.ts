import { runSchemaMigrations } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { createInventoryDataSource } from './inventory-data-source';

export { createInventoryDataSource } from './inventory-data-source';

/** Applies the inventory service's pending migrations (schema `inventory`); returns their names. */
export function runInventoryMigrations(dataSource: DataSource): Promise<string[]> {
  return runSchemaMigrations(dataSource);
}

// `node dist/apps/inventory/src/database/migrate.js`: migrate and exit (a Kubernetes Job, or locally).
async function main(): Promise<void> {
  const dataSource = createInventoryDataSource({
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    const applied = await runInventoryMigrations(dataSource);
    process.stdout.write(`${JSON.stringify({ service: 'inventory', msg: 'migrated', applied })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ service: 'inventory', msg: 'migration failed', err: String(error) })}\n`,
    );
    process.exit(1);
  });
}
