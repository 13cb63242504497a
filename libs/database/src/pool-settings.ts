import { z } from '@shopwire/config';

const millis = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/**
 * Per-service limits of the Postgres pool and its sessions, from the environment (every service
 * reads the same variables, so each deployment sets its own). `DATABASE_POOL_SIZE` stays in
 * `databaseEnv` of `@shopwire/config`.
 */
export const databasePoolEnv = {
  /**
   * The server cancels any statement running longer (0: no limit). A runaway query must fail,
   * not hold a pool connection and its locks while requests queue behind it.
   */
  DATABASE_STATEMENT_TIMEOUT_MS: millis(30_000),
  /**
   * The server ends a session left idle inside a transaction this long (0: never): a process
   * paused mid-transaction must not hold row locks (an inbox claim, an outbox batch) for ever.
   */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: millis(60_000),
  /** Time to get a connection (from the pool or a new one) before the call fails. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** A pooled connection unused this long is closed. */
  DATABASE_POOL_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
};

const schema = z.object(databasePoolEnv);

export interface DatabasePoolSettings {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  connectTimeoutMs: number;
  poolIdleTimeoutMs: number;
}

/** The settings from an environment; throws naming each bad variable. */
export function databasePoolSettings(
  env: Record<string, string | number | undefined> = process.env,
): DatabasePoolSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid database pool settings: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  const value = parsed.data;
  return {
    statementTimeoutMs: value.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: value.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectTimeoutMs: value.DATABASE_CONNECT_TIMEOUT_MS,
    poolIdleTimeoutMs: value.DATABASE_POOL_IDLE_TIMEOUT_MS,
  };
}

/**
 * What node-postgres takes from TypeORM's `extra`: the session settings are sent at connect, so
 * they hold for every query on the connection. The client-side `query_timeout` is a backstop for
 * a server that stopped answering altogether (its own cancel would never arrive).
 */
export function pgPoolExtra(settings: DatabasePoolSettings): Record<string, number> {
  const extra: Record<string, number> = {
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: settings.poolIdleTimeoutMs,
  };
  if (settings.statementTimeoutMs > 0) {
    extra.statement_timeout = settings.statementTimeoutMs;
    extra.query_timeout = settings.statementTimeoutMs + 5000;
  }
  if (settings.idleInTransactionTimeoutMs > 0) {
    extra.idle_in_transaction_session_timeout = settings.idleInTransactionTimeoutMs;
  }
  return extra;
}
