import { databaseEnv, loadConfigOrExit, z } from '@shopwire/config';
import type { DataSource } from 'typeorm';
import { runSchemaMigrations } from './data-source';

/** What a migration run reads: the URL only (its pool is two connections, whatever the service's). */
const migrationConfigSchema = z.object({ DATABASE_URL: databaseEnv.DATABASE_URL });

/**
 * The program in every service's `src/database/migrate.ts`
 * (`if (require.main === module) void migrateAndExit('order', createOrderDataSource)`), run by
 * `scripts/migrate.mjs`, the jobs image and the Kubernetes migrate Job: DATABASE_URL validated
 * like the service's own (exit 78 naming it, never its value; under SHOPWIRE_ENV=production it
 * must be set, not defaulted), the schema's pending migrations applied, one JSON line each way,
 * exit 1 on failure.
 */
export async function migrateAndExit(
  service: string,
  createDataSource: (options: { url: string; poolSize: number }) => DataSource,
): Promise<void> {
  const config = loadConfigOrExit(migrationConfigSchema, `${service}-migrate`);
  try {
    const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 2 });
    await dataSource.initialize();
    try {
      const applied = await runSchemaMigrations(dataSource);
      process.stdout.write(`${JSON.stringify({ service, msg: 'migrated', applied })}\n`);
    } finally {
      await dataSource.destroy();
    }
  } catch (error) {
    process.stderr.write(
      `${JSON.stringify({ service, msg: 'migration failed', err: String(error) })}\n`,
    );
    process.exit(1);
  }
}
