import type { Client, ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

// The relay's plumbing: its own connection's settings, and errors that say which side failed.

export class RelayPublishError extends Error {
  override readonly name = 'RelayPublishError';
  constructor(readonly original: unknown) {
    super(errorText(original));
  }
}

export class RelayDatabaseError extends Error {
  override readonly name = 'RelayDatabaseError';
  constructor(readonly original: unknown) {
    super(errorText(original));
  }
}

/** Never the error object: pg errors can quote parameters, which here are message payloads. */
export function errorText(error: unknown): string {
  if (error instanceof RelayPublishError || error instanceof RelayDatabaseError) {
    return error.message;
  }
  if (!(error instanceof Error)) return 'non-error thrown';
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message.slice(0, 300)}`;
}

export async function dbQuery<T extends object = object>(
  client: Client,
  sql: string,
  params: unknown[],
): Promise<{ rows: T[]; rowCount: number | null }> {
  try {
    const result = await client.query<T>(sql, params);
    return { rows: result.rows, rowCount: result.rowCount };
  } catch (error) {
    throw new RelayDatabaseError(error);
  }
}

/** The relay's own connection (not from the pool: it holds a session lock and LISTENs). */
export function clientConfig(dataSource: DataSource, schema: string): ClientConfig {
  const o = dataSource.options as PostgresConnectionOptions;
  return {
    connectionString: o.url,
    host: o.host,
    port: o.port,
    user: o.username,
    password: typeof o.password === 'string' ? o.password : undefined,
    database: o.database,
    application_name: `${o.applicationName ?? 'shopwire'}-outbox-relay`.slice(0, 63),
    connectionTimeoutMillis: 5000,
    // Lets Postgres notice a vanished relay (and free its lock) sooner than TCP would.
    keepAlive: true,
    options: `-c search_path=${schema}`,
  };
}
