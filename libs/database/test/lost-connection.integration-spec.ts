import type { PoolClient, Pool } from 'pg';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createSchemaDataSource } from '../src';

// A connection the server ends while it is checked out of the pool and between queries — what a
// Postgres restart does to every connection a service holds — must not end the process.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let dataSource: DataSource;

beforeAll(async () => {
  dataSource = createSchemaDataSource({ url: DATABASE_URL, schema: 'public', poolSize: 2 });
  await dataSource.initialize();
});

afterAll(async () => {
  await dataSource.destroy();
});

it('a checked-out connection the server terminates does not throw out of the process', async () => {
  // Checked out straight from the pool: pg-pool takes its own idle listener off, and nobody else
  // has put one on — the gap between owners in which an 'error' event used to be fatal.
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const client: PoolClient = await pool.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', record);
  try {
    const admin = new Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await admin.end();
    // The server's 57P01 and the socket's end reach the client within a few event-loop turns.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(uncaught).toEqual([]);
    // The client is broken, and says so to whoever uses it next.
    await expect(client.query('SELECT 1')).rejects.toThrow();
  } finally {
    process.off('uncaughtException', record);
    client.release(true);
  }
  // The pool goes on with fresh connections.
  expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
});
