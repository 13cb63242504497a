import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createSchemaDataSource, databasePoolSettings, runSchemaMigrations } from '../src';

// The pool's session limits against real Postgres: the server itself cancels a runaway statement
// and ends a session left idle inside a transaction, as configured per service.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `pool_test_${randomUUID().slice(0, 8)}`;

let dataSource: DataSource;

beforeAll(async () => {
  dataSource = createSchemaDataSource({
    url: DATABASE_URL,
    schema,
    poolSize: 3,
    pool: databasePoolSettings({
      DATABASE_STATEMENT_TIMEOUT_MS: '300',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '300',
    }),
  });
  await dataSource.initialize();
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await dataSource.destroy();
});

describe('database pool settings', () => {
  it('every pooled session carries the configured timeouts', async () => {
    const [statement] = (await dataSource.query('SHOW statement_timeout')) as {
      statement_timeout: string;
    }[];
    const [idle] = (await dataSource.query('SHOW idle_in_transaction_session_timeout')) as {
      idle_in_transaction_session_timeout: string;
    }[];
    expect(statement!.statement_timeout).toBe('300ms');
    expect(idle!.idle_in_transaction_session_timeout).toBe('300ms');
  });

  it('the server cancels a statement that runs past the timeout', async () => {
    await expect(dataSource.query('SELECT pg_sleep(5)')).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '57014' }), // query_canceled
    });
    // the connection is fine afterwards
    await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('the server ends a session left idle inside a transaction', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query('SELECT 1');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await expect(runner.query('SELECT 1')).rejects.toThrow();
    } finally {
      await runner.release().catch(() => undefined);
    }
  });

  it('migrating (its lock wait without a statement timeout) hands its connection back with the configured one', async () => {
    await expect(runSchemaMigrations(dataSource)).resolves.toEqual([]);
    // the lock's connection went back to the pool with the configured timeout again
    const values = await Promise.all(
      [1, 2, 3].map(
        async () =>
          (
            (await dataSource.query('SHOW statement_timeout')) as { statement_timeout: string }[]
          )[0]!.statement_timeout,
      ),
    );
    expect(new Set(values)).toEqual(new Set(['300ms']));
  });

  it('defaults: 30 s per statement, 60 s idle in a transaction; a bad value names its variable', () => {
    expect(databasePoolSettings({})).toEqual({
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
      connectTimeoutMs: 5000,
      poolIdleTimeoutMs: 30_000,
    });
    expect(() => databasePoolSettings({ DATABASE_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(
      /DATABASE_STATEMENT_TIMEOUT_MS/,
    );
  });
});
