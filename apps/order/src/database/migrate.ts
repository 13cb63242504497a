import { runSchemaMigrations } from '@shopwire/database';
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
async function main(): Promise<void> {
  const dataSource = createOrderDataSource({
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    const applied = await runOrderMigrations(dataSource);
    process.stdout.write(`${JSON.stringify({ service: 'order', msg: 'migrated', applied })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ service: 'order', msg: 'migration failed', err: String(error) })}\n`,
    );
    process.exit(1);
  });
}
