import { DataSource, type EntityManager, type MixedList, type EntitySchema } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { guardedPg } from './guarded-pg';
import { databasePoolSettings, pgPoolExtra, type DatabasePoolSettings } from './pool-settings';

export interface SchemaDataSourceOptions {
  /** postgres:// URL. */
  url: string;
  /** The one Postgres schema this service owns, e.g. `orders`. */
  schema: string;
  poolSize: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  /** Shows up in `pg_stat_activity`, so a DBA can tell the services apart. */
  applicationName?: string;
  /** Statement and session timeouts; default: from the environment (`databasePoolEnv`). */
  pool?: DatabasePoolSettings;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Only plain snake_case names may be spliced into SQL as identifiers (they cannot be bound). */
export function assertIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a safe SQL identifier: ${JSON.stringify(name)}`);
  return name;
}

/**
 * A TypeORM data source for one service's schema. The schema is changed only by migrations —
 * `synchronize` would alter tables from entity classes at boot, racing replicas and dropping
 * columns — and each schema keeps its own migrations table, so services migrate independently.
 */
export function createSchemaDataSource(options: SchemaDataSourceOptions): DataSource {
  const schema = assertIdentifier(options.schema);
  const config: PostgresConnectionOptions = {
    type: 'postgres',
    url: options.url,
    schema,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: `${schema}_migrations`,
    migrationsTransactionMode: 'each',
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    applicationName: options.applicationName,
    poolSize: options.poolSize,
    // A database that does not answer must fail a request, not hang it (and a readiness probe);
    // a statement that runs away or a transaction left open is ended by the server.
    extra: pgPoolExtra(options.pool ?? databasePoolSettings()),
    // A lost connection must not end the process (./guarded-pg.ts).
    driver: guardedPg,
  };
  return new DataSource(config);
}

/** The schema a data source (or a transaction's manager) works in. */
export function schemaOf(source: DataSource | EntityManager): string {
  const connection = source instanceof DataSource ? source : source.connection;
  return assertIdentifier((connection.options as PostgresConnectionOptions).schema ?? 'public');
}

/**
 * Runs pending migrations of the data source's schema. Creates the schema first (the migrations
 * table lives in it) and holds a Postgres advisory lock meanwhile, so replicas booting together
 * with `RUN_MIGRATIONS=true` migrate one after another instead of all at once.
 */
export async function runSchemaMigrations(dataSource: DataSource): Promise<string[]> {
  const schema = schemaOf(dataSource);
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    // Waiting for another replica's migrations, or a long DDL statement, is not a runaway query.
    await lockRunner.query('SET statement_timeout = 0');
    await lockRunner.query('SELECT pg_advisory_lock(hashtext($1))', [
      `shopwire:migrations:${schema}`,
    ]);
    try {
      await lockRunner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await lockRunner.query('SELECT pg_advisory_unlock(hashtext($1))', [
        `shopwire:migrations:${schema}`,
      ]);
    }
  } finally {
    // (back to the session's configured value before the connection returns to the pool)
    await lockRunner.query('RESET statement_timeout').catch(() => undefined);
    await lockRunner.release();
  }
}
